package dev.batcher.coordinate;

import java.util.List;

/**
 * Chooses the coach a caller enters when a coordinator has more than one (nikandfor's {@code Multi.Balancer}). Called
 * under the coordinator's lock for every contribution: it must be quick and must not block or call the coordinator.
 */
@FunctionalInterface
public interface Balancer {

    /**
     * Chooses a coach.
     *
     * @param coaches every coach, in index order
     * @return the index of the coach to enter; a committing coach makes the caller wait for that coach (a try is
     *     refused); {@code -1} makes it wait until some commit ends and ask again
     */
    int choose(List<CoachState> coaches);

    /** The default (nikandfor's): the first coach that is not committing, or {@code -1} when all are. */
    static Balancer firstFree() {
        return coaches -> {
            for (CoachState coach : coaches) {
                if (!coach.committing()) {
                    return coach.index();
                }
            }
            return -1;
        };
    }

    /**
     * What a balancer sees of one coach.
     *
     * @param index its index, 0 to {@code coaches - 1}
     * @param committing whether it is committing, or its open batch was triggered and is about to be (callers
     *     entering it wait)
     * @param contributors contributions in its open batch
     */
    record CoachState(int index, boolean committing, int contributors) {
    }
}
