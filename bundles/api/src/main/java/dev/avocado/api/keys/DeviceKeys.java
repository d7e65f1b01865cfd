package dev.avocado.api.keys;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;
import org.osgi.service.component.annotations.ComponentPropertyType;

/**
 * Component property type: a component with this annotation, whose reference to the device's key
 * service is named {@link #REFERENCE}, gets that reference's target filter from one place: software keys
 * by default, the image's choice from the configuration {@link KeyService#SELECTION_PID} (which the
 * component reads beside its own). Since 1.1.
 */
@ComponentPropertyType
@Retention(RetentionPolicy.CLASS)
@Target(ElementType.TYPE)
public @interface DeviceKeys {

    /** The name the reference to the device's key service must have, for the filter to apply to it. */
    String REFERENCE = "keyService";

    /** The target filter of the {@link #REFERENCE} reference: {@code keyService.target}. */
    String keyService_target() default KeyService.DEFAULT_SELECTION;
}
