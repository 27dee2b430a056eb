package dev.batcher.sample;

import java.net.URI;
import org.springframework.http.HttpStatus;
import org.springframework.http.ProblemDetail;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PathVariable;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestBody;
import org.springframework.web.bind.annotation.RestController;

/**
 * {@code POST /accounts/{id}/transactions} with {@code {"amount": -50}} applies a deposit (positive) or a withdrawal
 * (negative) through resource processor {@code accounts}, and audits it through coordinator {@code audit}: 200 with
 * the new balance; 409 with a problem detail when the withdrawal would overdraw the account (the other transactions of
 * the batch go on); 400 for an amount of 0. {@code GET /accounts/{id}} shows the stored balance and audit count.
 */
@RestController
public class AccountController {

    private final Accounts accounts;

    private final AccountStore store;

    private final AuditLog auditLog;

    /**
     * Creates the controller.
     *
     * @param accounts the transactions
     * @param store the stored balances
     * @param auditLog the audit table
     */
    public AccountController(Accounts accounts, AccountStore store, AuditLog auditLog) {
        this.accounts = accounts;
        this.store = store;
        this.auditLog = auditLog;
    }

    /**
     * A transaction's request body.
     *
     * @param amount a deposit (positive) or a withdrawal (negative), not 0
     */
    public record TransactionRequest(long amount) {
    }

    /**
     * A transaction's outcome, or an account's state.
     *
     * @param account the account id
     * @param balance its balance
     * @param auditRecords its audit records stored (only in {@code GET})
     */
    public record AccountResponse(long account, long balance, Long auditRecords) {
    }

    /**
     * Applies a transaction.
     *
     * @param id the account id
     * @param request the amount
     * @return the new balance
     * @throws Exception when the batch failed
     */
    @PostMapping("/accounts/{id}/transactions")
    public AccountResponse transact(@PathVariable long id, @RequestBody TransactionRequest request) throws Exception {
        if (request.amount() == 0) {
            throw new IllegalArgumentException("amount must not be 0: a deposit is positive, a withdrawal negative");
        }
        return new AccountResponse(id, accounts.transact(id, request.amount()), null);
    }

    /**
     * The stored balance and audit records of an account.
     *
     * @param id the account id
     * @return its state
     */
    @GetMapping("/accounts/{id}")
    public AccountResponse account(@PathVariable long id) {
        return new AccountResponse(id, store.balance(id), auditLog.count(id));
    }

    @ExceptionHandler(OverdraftException.class)
    ProblemDetail overdraft(OverdraftException ex) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.CONFLICT, ex.getMessage());
        problem.setTitle("Overdraft refused");
        problem.setType(URI.create("urn:batcher-sample:overdraft"));
        problem.setProperty("account", ex.account());
        problem.setProperty("balance", ex.balance());
        problem.setProperty("amount", ex.amount());
        return problem;
    }

    @ExceptionHandler(IllegalArgumentException.class)
    ProblemDetail badAmount(IllegalArgumentException ex) {
        return ProblemDetail.forStatusAndDetail(HttpStatus.BAD_REQUEST, ex.getMessage());
    }
}
