package dev.batcher.sample;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;

/**
 * The demo's comparison on a small load: both ways end with the same balances and refusals, and the batched ways run
 * far fewer SQL statements.
 */
@SpringBootTest(properties = {
        "demo.events=0",
        "spring.datasource.url=jdbc:h2:mem:accounts-demo-${random.uuid}"})
class AccountsComparisonTest {

    @Autowired
    AccountsComparison comparison;

    @Autowired
    AccountStore store;

    @Autowired
    AuditLog auditLog;

    @Test
    void bothWaysGiveTheSameBalancesAndTheBatchedWaysRunFewerStatements() throws Exception {
        AccountsComparison.Run batched = comparison.batched(100, 4, 2000, 4);
        AccountsComparison.Run single = comparison.oneByOne(200, 4, 2000, 4);
        long batchedTotal = 0;
        long singleTotal = 0;
        for (int i = 0; i < 4; i++) {
            batchedTotal += store.balance(100 + i);
            singleTotal += store.balance(200 + i);
        }
        // Every refused withdrawal of 20 is missing from the sum of the amounts.
        long amounts = 0;
        for (int i = 0; i < 2000; i++) {
            amounts += AccountsComparison.amount(i);
        }
        assertThat(batchedTotal).isEqualTo(amounts + 20 * batched.refused());
        assertThat(singleTotal).isEqualTo(amounts + 20 * single.refused());
        assertThat(single.statements()).as("a SELECT each, an UPDATE each but the refused")
                .isEqualTo(2 * 2000 - single.refused());
        assertThat(batched.statements()).isLessThan(single.statements() / 10);

        AccountsComparison.Run group = comparison.auditBatched(300, 500, 16);
        AccountsComparison.Run inserts = comparison.auditOneByOne(400, 500, 16);
        assertThat(auditLog.count(300)).isEqualTo(500);
        assertThat(auditLog.count(400)).isEqualTo(500);
        assertThat(inserts.statements()).isEqualTo(500);
        assertThat(group.statements()).isLessThan(inserts.statements());
    }
}
