package dev.batcher.sample;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.boot.autoconfigure.condition.ConditionalOnWebApplication;
import org.springframework.boot.security.autoconfigure.actuate.web.servlet.EndpointRequest;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.http.HttpMethod;
import org.springframework.security.config.Customizer;
import org.springframework.security.config.annotation.web.builders.HttpSecurity;
import org.springframework.security.config.http.SessionCreationPolicy;
import org.springframework.security.core.userdetails.User;
import org.springframework.security.core.userdetails.UserDetailsService;
import org.springframework.security.provisioning.InMemoryUserDetailsManager;
import org.springframework.security.web.SecurityFilterChain;
import org.springframework.security.web.servlet.util.matcher.PathPatternRequestMatcher;
import org.springframework.security.web.util.matcher.RequestMatcher;

/**
 * Who may do what over HTTP. Reads stay open: {@code GET} on every actuator endpoint ({@code batchers}, health,
 * metrics, prometheus), {@code POST /events} and {@code GET /events/count}. The {@code batchers} endpoint's write
 * operation ({@code POST /actuator/batchers/{name}}: flush, pause, resume) needs role {@code OPERATOR} over HTTP basic:
 * pausing a dispatcher stops all its sends, so an anonymous caller must not be able to. The operator account comes
 * from {@link OperatorProperties} ({@code sample.operator.*}). Anything else needs the operator too. A worker only
 * ({@code --spring.main.web-application-type=none}) serves no HTTP and has no filter chain.
 */
@Configuration(proxyBeanMethods = false)
@ConditionalOnWebApplication(type = ConditionalOnWebApplication.Type.SERVLET)
class SecurityConfiguration {

    /** The role that may call the actuator's write operations. */
    static final String OPERATOR = "OPERATOR";

    private static final Logger log = LoggerFactory.getLogger(SecurityConfiguration.class);

    @Bean
    SecurityFilterChain securityFilterChain(HttpSecurity http) throws Exception {
        RequestMatcher batchersWrite = EndpointRequest.to("batchers").withHttpMethod(HttpMethod.POST);
        RequestMatcher postEvents = PathPatternRequestMatcher.pathPattern(HttpMethod.POST, "/events");
        // The in-app downstream API that cost batcher "downstream" calls; open like POST /events, for the same reasons.
        RequestMatcher postDownstream = PathPatternRequestMatcher.pathPattern(HttpMethod.POST, "/downstream/write");
        // Account transactions (resource processor "accounts", coordinator "audit"): open like POST /events.
        RequestMatcher postTransactions = PathPatternRequestMatcher.pathPattern(HttpMethod.POST,
                "/accounts/{id}/transactions");
        // The report job (task queue): open like POST /events.
        RequestMatcher postReports = PathPatternRequestMatcher.pathPattern(HttpMethod.POST, "/reports");
        http.authorizeHttpRequests(requests -> requests
                        .requestMatchers(batchersWrite).hasRole(OPERATOR)
                        .requestMatchers(EndpointRequest.toAnyEndpoint().withHttpMethod(HttpMethod.GET)).permitAll()
                        .requestMatchers(postEvents).permitAll()
                        .requestMatchers(postDownstream).permitAll()
                        .requestMatchers(postTransactions).permitAll()
                        .requestMatchers(HttpMethod.GET, "/accounts/{id}").permitAll()
                        .requestMatchers(postReports).permitAll()
                        .requestMatchers(HttpMethod.GET, "/reports/*").permitAll()
                        .requestMatchers(HttpMethod.GET, "/downstream/stats").permitAll()
                        .requestMatchers(HttpMethod.GET, "/events/count").permitAll()
                        // Error responses rendered by Boot's /error page (for example a 404) reach anonymous callers.
                        .requestMatchers("/error").permitAll()
                        .anyRequest().hasRole(OPERATOR))
                .httpBasic(Customizer.withDefaults())
                // No session and no cookie: every call carries its credentials (or none).
                .sessionManagement(session -> session.sessionCreationPolicy(SessionCreationPolicy.STATELESS))
                // CSRF protection guards cookie-authenticated browser sessions against forged cross-site posts. These
                // paths are called by scripts and services, which never fetch a CSRF token first: with it on, every
                // POST /events, every POST /downstream/write and every operator's POST to the endpoint would be
                // refused with 403. Nothing here rides on a cookie (stateless, no session), POST /events and
                // POST /downstream/write are open to anyone anyway, and these paths only accept Content-Type
                // application/json, which an HTML form on another site cannot send (a script would need a CORS
                // preflight, which this app does not allow). Every other path keeps CSRF.
                .csrf(csrf -> csrf.ignoringRequestMatchers(batchersWrite, postEvents, postDownstream,
                        postTransactions, postReports));
        return http.build();
    }

    @Bean
    UserDetailsService operatorAccount(OperatorProperties operator) {
        if (operator.isDefaultPassword()) {
            log.warn("The operator account '{}' has the default password, fit for local use only: set "
                    + "sample.operator.password (for example to a {bcrypt} hash) before anyone else can reach "
                    + "this app", operator.name());
        }
        return new InMemoryUserDetailsManager(User.withUsername(operator.name())
                .password(operator.encodedPassword())
                .roles(OPERATOR)
                .build());
    }
}
