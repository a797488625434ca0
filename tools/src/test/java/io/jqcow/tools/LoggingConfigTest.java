package io.jqcow.tools;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.Appender;
import ch.qos.logback.core.ConsoleAppender;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.slf4j.LoggerFactory;

/** The CLI's logging is quiet: only warnings and errors, and never on stdout (stdout is the output). */
class LoggingConfigTest {

    @Test
    void rootLogsWarningsToStderrOnly() {
        Logger root = assertInstanceOf(Logger.class, LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME));
        assertEquals(Level.WARN, root.getLevel());
        List<Appender<ILoggingEvent>> appenders = new ArrayList<>();
        for (Iterator<Appender<ILoggingEvent>> it = root.iteratorForAppenders(); it.hasNext(); ) {
            appenders.add(it.next());
        }
        assertEquals(1, appenders.size());
        ConsoleAppender<?> console = assertInstanceOf(ConsoleAppender.class, appenders.get(0));
        assertEquals("System.err", console.getTarget());
    }

    @Test
    void warningsAreOneLinePrefixedWithTheShortLoggerName() {
        ch.qos.logback.classic.LoggerContext ctx = new ch.qos.logback.classic.LoggerContext();
        Logger log = ctx.getLogger("io.jqcow.qcow2.Qcow2Opener");
        ch.qos.logback.classic.spi.LoggingEvent event = new ch.qos.logback.classic.spi.LoggingEvent(
                "fqcn", log, Level.WARN, "image {} is dirty", null, new Object[] {"a.qcow2"});
        String line = new io.jqcow.tools.cli.StderrLogConfigurator.OneLineLayout().doLayout(event);
        assertEquals("jqcow: WARN Qcow2Opener: image a.qcow2 is dirty" + System.lineSeparator(), line);
    }
}
