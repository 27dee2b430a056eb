package dev.batcher.sample;

import static org.assertj.core.api.Assertions.assertThat;

import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.springframework.beans.factory.annotation.Autowired;
import org.springframework.boot.test.context.SpringBootTest;
import org.springframework.boot.test.context.SpringBootTest.WebEnvironment;
import org.springframework.boot.test.web.server.LocalServerPort;
import tools.jackson.databind.JsonNode;

/**
 * Account transactions over real HTTP: many concurrent {@code POST /accounts/{id}/transactions} go through resource
 * processor {@code accounts} (a load and a save per batch) and coordinator {@code audit} (one INSERT per group
 * commit), and the stored balance and audit rows are exact.
 */
@SpringBootTest(webEnvironment = WebEnvironment.RANDOM_PORT, properties = {
        "demo.events=0",
        "spring.datasource.url=jdbc:h2:mem:accounts-http-${random.uuid}"})
class AccountsHttpTest {

    @LocalServerPort
    int port;

    @Autowired
    AccountStore store;

    @Autowired
    AuditLog auditLog;

    Http http;

    @BeforeEach
    void client() {
        http = new Http(port);
    }

    @Test
    void concurrentTransactionsGiveTheRightBalanceWithFewLoadsAndSaves() throws Exception {
        int requests = 200;
        long loadsAndSavesBefore = store.statements();
        long insertsBefore = auditLog.statements();
        ExecutorService clients = Executors.newFixedThreadPool(32);
        try {
            List<Future<HttpResponse<String>>> responses = new ArrayList<>();
            for (int i = 0; i < requests; i++) {
                responses.add(clients.submit(() -> http.post("/accounts/7/transactions", "{\"amount\": 5}")));
            }
            for (Future<HttpResponse<String>> response : responses) {
                assertThat(response.get().statusCode()).isEqualTo(200);
            }
        }
        finally {
            clients.shutdownNow();
        }
        JsonNode account = http.getJson("/accounts/7");
        assertThat(account.get("balance").asLong()).isEqualTo(requests * 5L);
        assertThat(account.get("auditRecords").asLong()).isEqualTo(requests);
        // 32 clients at a time: each batch of 20 ms holds several transactions of account 7.
        assertThat(store.statements() - loadsAndSavesBefore).as("loads and saves").isLessThan(requests);
        assertThat(auditLog.statements() - insertsBefore).as("audit INSERTs").isLessThan(requests);
    }

    @Test
    void anOverdraftIsRefusedWith409AndTheOtherTransactionsGoOn() throws Exception {
        assertThat(http.post("/accounts/8/transactions", "{\"amount\": 100}").statusCode()).isEqualTo(200);
        HttpResponse<String> refused = http.post("/accounts/8/transactions", "{\"amount\": -150}");
        assertThat(refused.statusCode()).isEqualTo(409);
        JsonNode problem = Http.json(refused);
        assertThat(problem.get("title").asString()).isEqualTo("Overdraft refused");
        assertThat(problem.get("detail").asString())
                .isEqualTo("Account 8 has a balance of 100; a withdrawal of 150 would overdraw it");
        assertThat(problem.get("balance").asLong()).isEqualTo(100);
        HttpResponse<String> withdrawal = http.post("/accounts/8/transactions", "{\"amount\": -60}");
        assertThat(withdrawal.statusCode()).isEqualTo(200);
        assertThat(Http.json(withdrawal).get("balance").asLong()).isEqualTo(40);
        JsonNode account = http.getJson("/accounts/8");
        assertThat(account.get("balance").asLong()).isEqualTo(40);
        assertThat(account.get("auditRecords").asLong()).as("refused transactions are audited too").isEqualTo(3);
    }

    @Test
    void aZeroAmountIsRefusedWith400() {
        HttpResponse<String> response = http.post("/accounts/9/transactions", "{\"amount\": 0}");
        assertThat(response.statusCode()).isEqualTo(400);
        assertThat(Http.json(response).get("detail").asString()).contains("amount must not be 0");
    }

    @Test
    void theEndpointShowsTheProcessorAndTheCoordinator() {
        assertThat(http.post("/accounts/10/transactions", "{\"amount\": 1}").statusCode()).isEqualTo(200);
        JsonNode accounts = http.getJson("/actuator/batchers/accounts");
        assertThat(accounts.get("kind").asString()).isEqualTo("processor");
        assertThat(accounts.get("details").get("minDuration").asString()).isEqualTo("20ms");
        assertThat(accounts.get("totals").get("submitted").asLong()).isPositive();
        JsonNode audit = http.getJson("/actuator/batchers/audit");
        assertThat(audit.get("kind").asString()).isEqualTo("coordinator");
        assertThat(audit.get("details").get("commits").asLong()).isPositive();
        JsonNode health = http.getJson("/actuator/health/batchers");
        assertThat(health.get("components").get("accounts").get("status").asString()).isEqualTo("UP");
        assertThat(health.get("components").get("audit").get("status").asString()).isEqualTo("UP");
    }
}
