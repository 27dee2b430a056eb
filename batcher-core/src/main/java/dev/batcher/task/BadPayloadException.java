package dev.batcher.task;

/**
 * A payload or value is refused: too large, not plain data (it names a Java type), or not convertible to the
 * worker's parameter types. The call fails with {@link TaskReport.FailureCode#BAD_PAYLOAD}. Custom
 * {@link TaskMarshaller}s throw it for input they refuse.
 */
public class BadPayloadException extends RuntimeException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param message what was refused and why
     * @param cause the parser's exception, or {@code null}
     */
    public BadPayloadException(String message, Throwable cause) {
        super(message, cause);
    }
}
