package dev.batcher.redis;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatExceptionOfType;

import dev.batcher.InvalidOptionException;
import java.time.Duration;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;

class SharedCapacityOptionsTest {

    @Test
    void capacityThatIsAMultipleOfThePartitionSizeSplitsIntoEqualPartitions() {
        SharedCapacityOptions options = SharedCapacityOptions.of("cosmos", 20_000, 1_000);

        assertThat(options.partitionCount()).isEqualTo(20);
        assertThat(IntStream.range(0, 20).mapToLong(options::capacityOf)).containsOnly(1_000L);
    }

    @Test
    void aPartialLastPartitionRoundsTheCountUpAndIsSmallerSoThePartitionsAddUpToTheCapacityExactly() {
        SharedCapacityOptions options = SharedCapacityOptions.of("cosmos", 10, 3);

        assertThat(options.partitionCount()).isEqualTo(4);
        assertThat(IntStream.range(0, 4).mapToLong(options::capacityOf)).containsExactly(3L, 3L, 3L, 1L);
        assertThat(IntStream.range(0, 4).mapToLong(options::capacityOf).sum()).isEqualTo(10);
    }

    @Test
    void aPartitionLargerThanTheCapacityIsOnePartitionOfTheWholeCapacity() {
        SharedCapacityOptions options = SharedCapacityOptions.of("cosmos", 7, 100);

        assertThat(options.partitionCount()).isEqualTo(1);
        assertThat(options.capacityOf(0)).isEqualTo(7);
    }

    @Test
    void fiveHundredPartitionsAreAllowedAndFiveHundredAndOneAreRefusedWithTheSmallestSizeThatFits() {
        assertThat(SharedCapacityOptions.of("cosmos", 500, 1).partitionCount()).isEqualTo(500);
        assertThat(SharedCapacityOptions.of("cosmos", 50_000, 100).partitionCount()).isEqualTo(500);
        assertThat(SharedCapacityOptions.of("cosmos", 50_001, 101).partitionCount()).isEqualTo(496);

        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(() -> SharedCapacityOptions.of("cosmos", 50_001, 100))
                .satisfies(ex -> assertThat(ex.getOption()).isEqualTo("shared.partition-size"))
                .withMessageContaining("into 501 partitions, more than the 500 allowed")
                .withMessageContaining("use a partition size of at least 101");
    }

    @Test
    void partitionIndexesOutsideTheSplitAreRefused() {
        SharedCapacityOptions options = SharedCapacityOptions.of("cosmos", 10, 3);

        assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> options.capacityOf(4));
        assertThatExceptionOfType(IndexOutOfBoundsException.class).isThrownBy(() -> options.capacityOf(-1));
    }

    @Test
    void defaultsAreGoBatchersAndMaxCapacityIsReservedPlusShared() {
        SharedCapacityOptions options = SharedCapacityOptions.of("cosmos", 20_000, 1_000).withReservedCapacity(2_000);

        assertThat(options.leaseTime()).isEqualTo(Duration.ofSeconds(15));
        assertThat(options.maxInterval()).isEqualTo(Duration.ofMillis(500));
        assertThat(options.reservedCapacity()).isEqualTo(2_000);
        assertThat(options.maxCapacity()).isEqualTo(22_000);
        assertThat(options.instanceId()).isNotBlank()
                .isNotEqualTo(SharedCapacityOptions.of("cosmos", 20_000, 1_000).instanceId());
        assertThat(options.withInstanceId("pod-1").instanceId()).isEqualTo("pod-1");
    }

    @Test
    void eachOutOfRangeValueNamesItsPropertyAndTheFix() {
        assertInvalid(() -> SharedCapacityOptions.of(" ", 10, 1), "shared.name", "must name the shared resource");
        assertInvalid(() -> SharedCapacityOptions.of("c", 0, 1), "shared.capacity",
                "use a provisioned capacity instead");
        assertInvalid(() -> SharedCapacityOptions.of("c", 10, 0), "shared.partition-size", "at least 1");
        assertInvalid(() -> SharedCapacityOptions.of("c", 10, 1).withReservedCapacity(-1),
                "shared.reserved-capacity", "0 or more");
        assertInvalid(() -> SharedCapacityOptions.of("c", 10, 1).withMaxInterval(Duration.ZERO),
                "shared.max-interval", "at least 1 ms");
        assertInvalid(() -> SharedCapacityOptions.of("c", 10, 1).withLeaseTime(Duration.ofMillis(1_000)),
                "shared.lease-time", "at least 3 times shared.max-interval=PT0.5S");
        assertInvalid(() -> new SharedCapacityOptions("c", 10, 1, 0, null, Duration.ofSeconds(6), null),
                "shared.max-interval", "at most a third of shared.lease-time=PT15S");
        assertInvalid(() -> SharedCapacityOptions.of("c", 10, 1).withInstanceId(""), "shared.instance-id",
                "must not be blank");
    }

    private static void assertInvalid(Runnable create, String option, String problem) {
        assertThatExceptionOfType(InvalidOptionException.class)
                .isThrownBy(create::run)
                .satisfies(ex -> assertThat(ex.getOption()).isEqualTo(option))
                .withMessageStartingWith("Invalid option " + option + "=")
                .withMessageContaining(problem);
    }
}
