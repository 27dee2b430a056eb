package dev.batcher.coordinate;

/**
 * The coordinator was closed ({@link Coordinator#close} or {@link Coordinator#shutdownNow}): it takes no new
 * announcements or contributions. The contribution was not made.
 */
public class CoordinatorClosedException extends IllegalStateException {

    private static final long serialVersionUID = 1L;

    /**
     * Creates the exception.
     *
     * @param coordinator the coordinator's name
     */
    public CoordinatorClosedException(String coordinator) {
        super("Coordinator '" + coordinator + "' is closed: it takes no new contributions; the contribution was not "
                + "made");
    }
}
