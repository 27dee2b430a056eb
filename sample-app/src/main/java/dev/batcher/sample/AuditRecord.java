package dev.batcher.sample;

import java.time.Instant;

/**
 * One transaction's audit record.
 *
 * @param account the account id
 * @param amount the amount asked for
 * @param outcome {@code applied} or {@code refused}
 * @param at when
 */
public record AuditRecord(long account, long amount, String outcome, Instant at) {
}
