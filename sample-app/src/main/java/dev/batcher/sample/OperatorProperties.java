package dev.batcher.sample;

import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;

/**
 * The operator account that may call the actuator's write operations ({@code POST /actuator/batchers/{name}}: flush,
 * pause, resume), bound from {@code sample.operator.*}. The defaults are for trying the app on your own machine only:
 * set both before the app is reachable by anyone else.
 *
 * @param name the user name for HTTP basic authentication
 * @param password the password, in Spring Security's storage format: {@code {bcrypt}$2a$10$...} (a hash, for
 *     anything beyond a laptop), {@code {noop}secret}, or plain text without a {@code {id}} prefix, which is taken as
 *     {@code {noop}}
 */
@ConfigurationProperties("sample.operator")
public record OperatorProperties(
        @DefaultValue(OperatorProperties.DEFAULT_NAME) String name,
        @DefaultValue(OperatorProperties.DEFAULT_PASSWORD) String password) {

    /** The default user name, for local use only. */
    public static final String DEFAULT_NAME = "operator";

    /** The default password, for local use only. */
    public static final String DEFAULT_PASSWORD = "operator";

    /** Checks the values, naming the property that is wrong. */
    public OperatorProperties {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("sample.operator.name must not be blank");
        }
        if (password == null || password.isBlank()) {
            throw new IllegalArgumentException("sample.operator.password must not be blank; set a password, "
                    + "preferably as a bcrypt hash such as {bcrypt}$2a$10$...");
        }
    }

    /**
     * The password as Spring Security's delegating password encoder expects it.
     *
     * @return {@link #password()} if it starts with an encoder id such as {@code {bcrypt}}, else it prefixed with
     *     {@code {noop}}
     */
    public String encodedPassword() {
        return password.matches("^\\{[^}]*}.*") ? password : "{noop}" + password;
    }

    /**
     * Whether the password is still the built-in default.
     *
     * @return true for {@code operator} and {@code {noop}operator}
     */
    public boolean isDefaultPassword() {
        return encodedPassword().equals("{noop}" + DEFAULT_PASSWORD);
    }
}
