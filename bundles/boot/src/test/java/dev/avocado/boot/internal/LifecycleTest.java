package dev.avocado.boot.internal;

import static org.junit.Assert.assertEquals;
import static org.junit.Assert.assertFalse;
import static org.junit.Assert.assertTrue;

import dev.avocado.api.lifecycle.DeviceState;
import dev.avocado.api.lifecycle.LifecycleEvents;
import dev.avocado.api.lifecycle.LifecycleListener;
import dev.avocado.api.lifecycle.StateChange;
import dev.avocado.api.lifecycle.Step;
import dev.avocado.api.lifecycle.StepOutcome;
import dev.avocado.api.lifecycle.StepRecord;
import dev.avocado.api.lifecycle.StepSite;
import java.lang.reflect.Proxy;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.Test;
import org.osgi.service.event.Event;
import org.osgi.service.event.EventAdmin;
import org.osgi.service.log.Logger;

/** The lifecycle record: states and steps kept apart, told typed and in order. */
public class LifecycleTest {

    private final List<Event> posted = new CopyOnWriteArrayList<>();
    private final EventAdmin events = (EventAdmin) Proxy.newProxyInstance(getClass().getClassLoader(),
            new Class<?>[] {EventAdmin.class}, (p, m, a) -> {
                posted.add((Event) a[0]);
                return null;
            });
    private final Logger log = (Logger) Proxy.newProxyInstance(getClass().getClassLoader(), new Class<?>[] {Logger.class},
            (p, m, a) -> m.getReturnType() == boolean.class ? Boolean.FALSE : null);
    private final List<String> heard = new ArrayList<>();
    private final List<LifecycleListener> listeners = new ArrayList<>();
    private final Lifecycle lifecycle = new Lifecycle(events, log, () -> listeners, new Lifecycle.Actions() {
        @Override
        public void wipe() {
        }

        @Override
        public void reboot() {
        }
    });

    private LifecycleListener recorder() {
        return new LifecycleListener() {
            @Override
            public void stateChanged(StateChange change) {
                heard.add(change.from().label() + "->" + change.to().label() + (change.settled() ? " settled" : ""));
            }

            @Override
            public void stepReported(DeviceState during, StepRecord step) {
                heard.add(during.label() + " " + step);
            }
        };
    }

    @Test
    public void stepsAreRecordedApartFromStates() {
        listeners.add(recorder());
        lifecycle.enter(DeviceState.PROVISIONING, "IDevID provisioner running", false);
        lifecycle.started(Step.O_1, "key idevid in tpm");
        lifecycle.done(Step.O_1, "key idevid at tpm:0x81020000");
        lifecycle.failed(Step.O_4, "the manufacturer rejected the CSR (HTTP 400): bad serial");
        lifecycle.enter(DeviceState.FAILED, "IDevID provisioning failed", true);

        assertEquals(List.of("booting->provisioning", "provisioning->failed settled"),
                lifecycle.history().stream().map(c -> c.from().label() + "->" + c.to().label()
                        + (c.settled() ? " settled" : "")).toList());
        List<StepRecord> steps = lifecycle.steps();
        assertEquals(List.of(StepOutcome.STARTED, StepOutcome.DONE, StepOutcome.FAILED),
                steps.stream().map(StepRecord::outcome).toList());
        assertEquals(StepSite.DEVICE, steps.get(1).site());
        assertEquals(StepSite.SERVER, steps.get(2).site());
        assertEquals("IDevID provisioning failed", lifecycle.reason());
        assertEquals(List.of("booting->provisioning", "provisioning O.1 started: key idevid in tpm",
                "provisioning O.1 done: key idevid at tpm:0x81020000",
                "provisioning O.4 failed: the manufacturer rejected the CSR (HTTP 400): bad serial",
                "provisioning->failed settled"), heard);
    }

    @Test
    public void eventAdminHearsTheSameStoryWithOutcomeAndSite() {
        lifecycle.enter(DeviceState.ONBOARDING, "onboarder running", false);
        lifecycle.waiting(Step.C_3, "the registrar holds the request");
        Event step = posted.get(1);
        assertEquals(Step.C_3.topic(), step.getTopic());
        assertEquals("waiting", step.getProperty(LifecycleEvents.OUTCOME));
        assertEquals("SERVER", step.getProperty(LifecycleEvents.SITE));
        assertEquals("the registrar holds the request", step.getProperty(LifecycleEvents.REASON));
        assertEquals("onboarding", posted.get(0).getProperty(LifecycleEvents.STATE));
    }

    @Test
    public void aListenerThatThrowsDoesNotSilenceTheOthers() {
        listeners.add(new LifecycleListener() {
            @Override
            public void stateChanged(StateChange change) {
                throw new IllegalStateException("broken listener");
            }

            @Override
            public void stepReported(DeviceState during, StepRecord step) {
                throw new IllegalStateException("broken listener");
            }
        });
        listeners.add(recorder());
        lifecycle.enter(DeviceState.ONBOARDING, "onboarder running", false);
        lifecycle.skipped(Step.E_1, "no network configured");
        assertEquals(List.of("booting->onboarding", "onboarding E.1 skipped: no network configured"), heard);
        assertEquals(DeviceState.ONBOARDING, lifecycle.state());
    }

    @Test
    public void aDeviceRetryingForDaysKeepsTheLatestSteps() {
        for (int i = 0; i < Lifecycle.STEPS_KEPT + 10; i++) {
            lifecycle.failed(Step.B, "no registrar found #" + i);
        }
        List<StepRecord> steps = lifecycle.steps();
        assertEquals(Lifecycle.STEPS_KEPT, steps.size());
        assertEquals("no registrar found #10", steps.get(0).detail());
        assertTrue(lifecycle.history().isEmpty());
        assertFalse(lifecycle.settled());
    }
}
