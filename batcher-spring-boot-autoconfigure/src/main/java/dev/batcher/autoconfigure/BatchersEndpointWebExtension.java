package dev.batcher.autoconfigure;

import dev.batcher.autoconfigure.BatchersEndpoint.BatcherDescriptor;
import dev.batcher.spring.BatcherRegistry;
import java.util.Map;
import org.springframework.boot.actuate.endpoint.annotation.Selector;
import org.springframework.boot.actuate.endpoint.annotation.WriteOperation;
import org.springframework.boot.actuate.endpoint.web.WebEndpointResponse;
import org.springframework.boot.actuate.endpoint.web.annotation.EndpointWebExtension;

/**
 * The HTTP form of the {@link BatchersEndpoint}'s write operation, with status codes: {@code POST
 * /actuator/batchers/{name}} answers 404 for an unknown instance (as the GET does) instead of 204, and 409 with a
 * message for a pause of an instance that is closing, or a resume of a cost batcher (it resumes by itself after
 * its pause time).
 */
@EndpointWebExtension(endpoint = BatchersEndpoint.class)
public class BatchersEndpointWebExtension {

    /** HTTP 409 Conflict. */
    static final int STATUS_CONFLICT = 409;

    private final BatchersEndpoint delegate;

    private final BatcherRegistry registry;

    /**
     * Creates the extension.
     *
     * @param delegate the endpoint
     * @param registry the instances
     */
    public BatchersEndpointWebExtension(BatchersEndpoint delegate, BatcherRegistry registry) {
        this.delegate = delegate;
        this.registry = registry;
    }

    /**
     * Flushes, pauses or resumes one instance.
     *
     * @param name the instance name
     * @param action {@code flush}, {@code pause} or {@code resume}
     * @return 200 with the instance after the action; 404 when unknown; 409 with {@code {"message": ...}} for a
     *     pause while the instance closes; 400 for another action
     */
    @WriteOperation
    public WebEndpointResponse<Object> control(@Selector String name, String action) {
        if (!this.delegate.exists(name)) {
            return new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
        }
        try {
            BatcherDescriptor descriptor = this.delegate.control(name, action);
            return (descriptor != null) ? new WebEndpointResponse<>(descriptor)
                    : new WebEndpointResponse<>(WebEndpointResponse.STATUS_NOT_FOUND);
        }
        catch (IllegalStateException ex) {
            return new WebEndpointResponse<>(Map.of("message", ex.getMessage()), STATUS_CONFLICT);
        }
    }
}
