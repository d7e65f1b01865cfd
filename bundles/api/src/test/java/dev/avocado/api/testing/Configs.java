package dev.avocado.api.testing;

import java.lang.reflect.Proxy;
import java.util.Map;

/** A component's configuration type as DS would give it: the metatype defaults, with values over them. */
public final class Configs {

    private Configs() {
    }

    public static <A> A of(Class<A> type, Map<String, Object> values) {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (p, m, a) -> {
            if (m.getName().equals("annotationType")) {
                return type;
            }
            if (m.getName().equals("toString")) {
                return type.getSimpleName() + values;
            }
            Object v = values.get(m.getName());
            return v != null ? v : m.getDefaultValue();
        }));
    }
}
