package dev.batcher.sample;

import org.springframework.boot.tomcat.TomcatConnectorCustomizer;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** Tomcat settings that let {@code POST /events} refuse an oversized body before the client sends it. */
@Configuration(proxyBeanMethods = false)
class WebServerConfiguration {

    /**
     * Tomcat answers {@code Expect: 100-continue} only when the application starts reading the body, instead of right
     * after the headers (its default). A client that asks first, as curl does for bodies over 1 MB, then gets the
     * {@code 413} for a {@code Content-Length} over {@code sample.events.max-request-bytes} without sending the body.
     */
    @Bean
    TomcatConnectorCustomizer continueWhenTheBodyIsRead() {
        return connector -> connector.setProperty("continueResponseTiming", "onRead");
    }
}
