package dev.avocado.logfile.internal;

import org.osgi.service.metatype.annotations.AttributeDefinition;
import org.osgi.service.metatype.annotations.ObjectClassDefinition;

@ObjectClassDefinition(name = "Avocado log file", description = "Where the device log goes")
public @interface LogFileConfig {

    @AttributeDefinition(name = "Log file", description = "Empty means logs/avocado.log on the data partition")
    String file() default "";

    @AttributeDefinition(name = "File level", description = "Lowest level written to the file: TRACE, DEBUG, INFO, WARN, ERROR")
    String fileLevel() default "INFO";

    @AttributeDefinition(name = "Console level", description = "Lowest level also printed on standard error")
    String consoleLevel() default "WARN";

    @AttributeDefinition(name = "Rotate size", description = "Bytes after which the file is rotated (3 old files kept)")
    long rotateBytes() default 1_000_000;
}
