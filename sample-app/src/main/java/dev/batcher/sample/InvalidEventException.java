package dev.batcher.sample;

/** A request body that is not a valid event or array of events; the message says what is wrong and where. */
public class InvalidEventException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what is wrong, for the client
     */
    public InvalidEventException(String message) {
        super(message);
    }
}
