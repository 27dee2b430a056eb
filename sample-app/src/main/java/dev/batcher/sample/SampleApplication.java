package dev.batcher.sample;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

/**
 * The Batcher sample app: {@code POST /events} hands events to dispatcher {@code events}, whose
 * {@link EventSink @BatchSink} stores them with one JDBC batch insert per batch. At startup a {@link DemoLoad} pushes
 * {@code demo.events} events through the same path and compares it with inserting them one row at a time.
 */
@SpringBootApplication
@ConfigurationPropertiesScan
public class SampleApplication {

    /**
     * Starts the app.
     *
     * @param args Spring Boot command-line arguments, such as {@code --server.port=9090} or {@code --demo.events=0}
     */
    public static void main(String[] args) {
        SpringApplication.run(SampleApplication.class, args);
    }
}
