package dev.batcher.sample;

/** A request to {@code POST /events} that is larger than allowed, in bytes or in events; answered with {@code 413}. */
class RequestTooLargeException extends InvalidEventException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is too large, the limit and what to do, for the client
     */
    RequestTooLargeException(String message) {
        super(message);
    }
}
