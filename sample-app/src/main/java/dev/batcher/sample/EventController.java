package dev.batcher.sample;

import dev.batcher.BufferFullException;
import dev.batcher.dispatch.Dispatcher;
import jakarta.servlet.http.HttpServletRequest;
import java.io.IOException;
import java.net.URI;
import java.time.Clock;
import java.util.List;
import java.util.Map;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;
import org.springframework.beans.factory.annotation.Qualifier;
import org.springframework.http.HttpHeaders;
import org.springframework.http.HttpStatus;
import org.springframework.http.MediaType;
import org.springframework.http.ProblemDetail;
import org.springframework.http.ResponseEntity;
import org.springframework.web.bind.annotation.ExceptionHandler;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;
import tools.jackson.databind.json.JsonMapper;

/**
 * {@code POST /events} accepts one event or an array of events and hands them to dispatcher {@code events}
 * ({@code 202 Accepted}: they will be stored with the next batch); {@code GET /events/count} tells how many are stored.
 *
 * <p>Errors are RFC 9457 problem details ({@code application/problem+json}) whose {@code detail} says what to fix:
 * {@code 400} for a body that is not a valid event or array of events (nothing of it is accepted), {@code 415} for a
 * request without {@code Content-Type: application/json}, {@code 413} for a body over
 * {@code sample.events.max-request-bytes} (refused before it is read) or more than {@code sample.events.max-per-request}
 * events in one request, {@code 503} (with {@code Retry-After}) when the dispatcher's buffer stayed
 * full for {@code buffer.block-timeout} or the app is shutting down; its {@code accepted} property tells how many
 * events of an array were accepted before that.
 */
@RestController
@RequestMapping("/events")
public class EventController {

    private static final Logger log = LoggerFactory.getLogger(EventController.class);

    private final Dispatcher<Event> dispatcher;

    private final EventRepository repository;

    private final BoundedBodyReader bodyReader;

    private final EventParser parser;

    /**
     * Creates the controller.
     *
     * @param dispatcher dispatcher {@code events}, whose sink is {@link EventSink}
     * @param repository for the row count
     * @param jsonMapper Spring Boot's JSON mapper, to read request bodies
     * @param limits the largest body in bytes and the most events one request may carry
     */
    public EventController(@Qualifier("events") Dispatcher<Event> dispatcher, EventRepository repository,
            JsonMapper jsonMapper, EventsProperties limits) {
        this.dispatcher = dispatcher;
        this.repository = repository;
        this.bodyReader = new BoundedBodyReader(limits.maxRequestBytes().toBytes());
        this.parser = new EventParser(jsonMapper, Clock.systemUTC(), limits.maxPerRequest());
    }

    /**
     * Submits one event or an array of events. The body is read here, not by a message converter, so that one over
     * {@code sample.events.max-request-bytes} is refused before it is read.
     *
     * @param request whose body is {@code {"type":"click","payload":"any text"}} or a JSON array of such objects
     * @return {@code 202} with {@code {"accepted": n}}, or a problem detail
     * @throws IOException when reading the body from the client fails
     */
    @PostMapping(consumes = {MediaType.APPLICATION_JSON_VALUE, "application/*+json"})
    public ResponseEntity<?> submit(HttpServletRequest request) throws IOException {
        List<Event> events = parser.parse(bodyReader.read(request));
        int accepted = 0;
        try {
            for (Event event : events) {
                dispatcher.enqueue(event);
                accepted++;
            }
        } catch (BufferFullException e) {
            log.debug("Dispatcher '{}' refused an event: {}", dispatcher.name(), e.getMessage());
            return unavailable("The event buffer is full, try again shortly (" + e.getMessage() + ")",
                    accepted, events.size());
        } catch (IllegalStateException e) {
            if (!dispatcher.isClosed()) {
                throw e;
            }
            return unavailable("The application is shutting down and accepts no more events", accepted,
                    events.size());
        }
        return ResponseEntity.accepted().body(Map.of("accepted", accepted));
    }

    /**
     * Counts the stored events.
     *
     * @return {@code {"count": n}}
     */
    @GetMapping("/count")
    public Map<String, Long> count() {
        return Map.of("count", repository.count());
    }

    @ExceptionHandler(InvalidEventException.class)
    ResponseEntity<ProblemDetail> invalid(InvalidEventException e) {
        boolean tooLarge = e instanceof RequestTooLargeException;
        HttpStatus status = tooLarge ? HttpStatus.CONTENT_TOO_LARGE : HttpStatus.BAD_REQUEST;
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(status, e.getMessage());
        problem.setTitle(tooLarge ? "Request too large" : "Invalid event");
        problem.setInstance(URI.create("/events"));
        return ResponseEntity.status(status).body(problem);
    }

    private static ResponseEntity<ProblemDetail> unavailable(String detail, int accepted, int total) {
        ProblemDetail problem = ProblemDetail.forStatusAndDetail(HttpStatus.SERVICE_UNAVAILABLE, detail);
        problem.setTitle("Events not accepted");
        problem.setInstance(URI.create("/events"));
        problem.setProperty("accepted", accepted);
        problem.setProperty("rejected", total - accepted);
        return ResponseEntity.status(HttpStatus.SERVICE_UNAVAILABLE)
                .header(HttpHeaders.RETRY_AFTER, "1")
                .body(problem);
    }
}
