package io.jqcow.tools.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.LoggerContext;
import ch.qos.logback.classic.spi.Configurator;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.ConsoleAppender;
import ch.qos.logback.core.CoreConstants;
import ch.qos.logback.core.LayoutBase;
import ch.qos.logback.core.encoder.LayoutWrappingEncoder;
import ch.qos.logback.core.spi.ContextAwareBase;

/**
 * The CLI's logging setup, done in code and found through the ServiceLoader: library warnings go to
 * stderr as "jqcow: LEVEL Logger: message", everything below WARN is dropped. Configuring this way
 * instead of with logback.xml skips the XML parser and Joran, which cost about 80 ms of every
 * command's start-up (measured with -Xlog:class+load), and a one-line command like `info` must
 * start fast. JQCOW_LOG_LEVEL (e.g. DEBUG) lowers the threshold for troubleshooting.
 */
public final class StderrLogConfigurator extends ContextAwareBase implements Configurator {
    @Override
    public ExecutionStatus configure(LoggerContext context) {
        ConsoleAppender<ILoggingEvent> appender = new ConsoleAppender<>();
        appender.setContext(context);
        appender.setName("STDERR");
        appender.setTarget("System.err");
        LayoutWrappingEncoder<ILoggingEvent> encoder = new LayoutWrappingEncoder<>();
        encoder.setContext(context);
        OneLineLayout layout = new OneLineLayout();
        layout.setContext(context);
        layout.start();
        encoder.setLayout(layout);
        encoder.start();
        appender.setEncoder(encoder);
        appender.start();
        Logger root = context.getLogger(Logger.ROOT_LOGGER_NAME);
        root.setLevel(Level.toLevel(System.getenv("JQCOW_LOG_LEVEL"), Level.WARN));
        root.addAppender(appender);
        return ExecutionStatus.DO_NOT_INVOKE_NEXT_IF_ANY;
    }

    /** "jqcow: WARN Qcow2Opener: message", with the stack trace of a logged throwable after it. */
    public static final class OneLineLayout extends LayoutBase<ILoggingEvent> {
        @Override
        public String doLayout(ILoggingEvent event) {
            String name = event.getLoggerName();
            StringBuilder sb = new StringBuilder(128).append("jqcow: ").append(event.getLevel()).append(' ')
                    .append(name.substring(name.lastIndexOf('.') + 1)).append(": ")
                    .append(event.getFormattedMessage()).append(CoreConstants.LINE_SEPARATOR);
            if (event.getThrowableProxy() != null) {
                sb.append(ch.qos.logback.classic.spi.ThrowableProxyUtil.asString(event.getThrowableProxy()))
                        .append(CoreConstants.LINE_SEPARATOR);
            }
            return sb.toString();
        }
    }
}
