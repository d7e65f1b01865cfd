package dev.avocado.boot.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Avocado partition two", description = "Onboarding bundles and their hot redeploy")
public @interface PartitionTwoConfig {

    @AttributeDefinition(name = "Bundle folder",
            description = "Folder of the partition two bundles; empty means bundles/ on partition two (framework property avocado.p2)")
    String bundles() default "";

    @AttributeDefinition(name = "Deploy folder",
            description = "Watched folder (Felix FileInstall) where a new build of a partition two bundle replaces it; "
                    + "empty means deploy/ on the data partition (framework property avocado.data)")
    String deploy() default "";
}
