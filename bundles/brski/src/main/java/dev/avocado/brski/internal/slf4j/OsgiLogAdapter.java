package dev.avocado.brski.internal.slf4j;

import org.osgi.framework.Bundle;
import org.osgi.framework.FrameworkUtil;
import org.osgi.service.log.Logger;
import org.osgi.service.log.LoggerFactory;
import org.osgi.util.tracker.ServiceTracker;
import org.slf4j.Marker;
import org.slf4j.event.Level;
import org.slf4j.helpers.LegacyAbstractLogger;
import org.slf4j.helpers.MessageFormatter;

/** One SLF4J logger as an OSGi Logger of this bundle; messages are dropped while no Log Service runs. */
final class OsgiLogAdapter extends LegacyAbstractLogger {

    private static final long serialVersionUID = 1L;

    OsgiLogAdapter(String name) {
        this.name = name;
    }

    private static ServiceTracker<LoggerFactory, LoggerFactory> tracker;

    /** The Log Service, followed for as long as the bundle runs (the framework drops the tracker with it). */
    private static synchronized LoggerFactory factory() {
        if (tracker == null) {
            Bundle bundle = FrameworkUtil.getBundle(OsgiLogAdapter.class);
            if (bundle == null || bundle.getBundleContext() == null) {
                return null;
            }
            tracker = new ServiceTracker<>(bundle.getBundleContext(), LoggerFactory.class, null);
            tracker.open();
        }
        return tracker.getService();
    }

    private Logger osgi() {
        LoggerFactory f = factory();
        return f == null ? null : f.getLogger(FrameworkUtil.getBundle(OsgiLogAdapter.class), name, Logger.class);
    }

    @Override
    public boolean isTraceEnabled() {
        Logger l = osgi();
        return l != null && l.isTraceEnabled();
    }

    @Override
    public boolean isDebugEnabled() {
        Logger l = osgi();
        return l != null && l.isDebugEnabled();
    }

    @Override
    public boolean isInfoEnabled() {
        Logger l = osgi();
        return l != null && l.isInfoEnabled();
    }

    @Override
    public boolean isWarnEnabled() {
        Logger l = osgi();
        return l != null && l.isWarnEnabled();
    }

    @Override
    public boolean isErrorEnabled() {
        Logger l = osgi();
        return l != null && l.isErrorEnabled();
    }

    @Override
    protected String getFullyQualifiedCallerName() {
        return null;
    }

    @Override
    protected void handleNormalizedLoggingCall(Level level, Marker marker, String message, Object[] args, Throwable t) {
        Logger l = osgi();
        if (l == null) {
            return;
        }
        String m = MessageFormatter.basicArrayFormat(message, args);
        switch (level) {
            case TRACE -> l.trace(m, t);
            case DEBUG -> l.debug(m, t);
            case INFO -> l.info(m, t);
            case WARN -> l.warn(m, t);
            default -> l.error(m, t);
        }
    }
}
