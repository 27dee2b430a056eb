package dev.batcher.task;

import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.lang.reflect.Type;
import java.util.Arrays;
import java.util.stream.Collectors;

/**
 * One registered (or declared) task: its parameter and result types and how to run it. Arguments whose class
 * already fits a parameter pass as they are; others are converted by the marshaller (local mode) or unmarshalled to
 * the parameter types (remote mode).
 */
final class RegisteredTask {

    private final String name;
    private final Type[] parameterTypes;
    private final Class<?>[] exactClasses;
    private final boolean[] primitive;
    private final Type resultType;
    private final TaskFunction function;
    private final String source;

    RegisteredTask(String name, Type[] parameterTypes, Type resultType, TaskFunction function, String source) {
        this.name = name;
        this.parameterTypes = parameterTypes.clone();
        this.exactClasses = new Class<?>[parameterTypes.length];
        this.primitive = new boolean[parameterTypes.length];
        for (int i = 0; i < parameterTypes.length; i++) {
            if (parameterTypes[i] == null) {
                throw new IllegalArgumentException("Task '" + name + "': parameter type " + (i + 1) + " is null");
            }
            if (parameterTypes[i] instanceof Class<?> type) {
                exactClasses[i] = box(type);
                primitive[i] = type.isPrimitive();
            }
        }
        this.resultType = resultType == null ? Object.class : resultType;
        this.function = function;
        this.source = source;
    }

    /** A task run by a method: a {@link TaskContext} parameter gets the context, the others the call's arguments. */
    static RegisteredTask ofMethod(String name, Object target, Method method) {
        boolean isStatic = Modifier.isStatic(method.getModifiers());
        String where = method.getDeclaringClass().getName() + "." + method.getName();
        if (!isStatic && target == null) {
            throw new IllegalArgumentException("Task '" + name + "': method " + where
                    + " is not static, so it needs a target object; pass the bean that declares it");
        }
        if (!isStatic && !method.getDeclaringClass().isInstance(target)) {
            throw new IllegalArgumentException("Task '" + name + "': the target " + target.getClass().getName()
                    + " does not declare method " + where);
        }
        if (!method.trySetAccessible()) {
            throw new IllegalArgumentException("Task '" + name + "': method " + where + " is not accessible; make it"
                    + " public or open its package");
        }
        Type[] all = method.getGenericParameterTypes();
        int context = -1;
        for (int i = 0; i < all.length; i++) {
            if (all[i] == TaskContext.class) {
                if (context >= 0) {
                    throw new IllegalArgumentException("Task '" + name + "': method " + where
                            + " takes TaskContext twice; take it once");
                }
                context = i;
            }
        }
        int contextIndex = context;
        Type[] wire = Arrays.stream(all).filter(type -> type != TaskContext.class).toArray(Type[]::new);
        Object bound = isStatic ? null : target;
        TaskFunction function = (taskContext, arguments) -> {
            Object[] full = arguments;
            if (contextIndex >= 0) {
                full = new Object[arguments.length + 1];
                System.arraycopy(arguments, 0, full, 0, contextIndex);
                full[contextIndex] = taskContext;
                System.arraycopy(arguments, contextIndex, full, contextIndex + 1, arguments.length - contextIndex);
            }
            try {
                return method.invoke(bound, full);
            }
            catch (InvocationTargetException ex) {
                Throwable cause = ex.getCause();
                if (cause instanceof Exception exception) {
                    throw exception;
                }
                if (cause instanceof Error error) {
                    throw error;
                }
                throw ex;
            }
        };
        return new RegisteredTask(name, wire, method.getGenericReturnType(), function, "method " + where);
    }

    String name() {
        return name;
    }

    /** The parameter types of the call's arguments (a {@link TaskContext} parameter excluded). */
    Type[] parameterTypes() {
        return parameterTypes;
    }

    Type resultType() {
        return resultType;
    }

    /** Whether a worker function is registered (not only declared for calling). */
    boolean runnable() {
        return function != null;
    }

    String source() {
        return source;
    }

    /** Refuses a call with the wrong number of arguments, naming the signature. */
    void checkArity(Object[] arguments) {
        if (arguments.length != parameterTypes.length) {
            throw new IllegalArgumentException("Task '" + name + "' takes " + parameterTypes.length
                    + " argument(s) " + signature() + "; the call gave " + arguments.length);
        }
    }

    /**
     * The arguments as the worker takes them: those whose class fits pass as they are (no copy when all fit),
     * others are converted by the marshaller.
     *
     * @throws BadPayloadException when one does not convert, or is null for a primitive parameter
     */
    Object[] coerce(Object[] arguments, TaskMarshaller marshaller) {
        Object[] result = arguments;
        for (int i = 0; i < arguments.length; i++) {
            Object argument = arguments[i];
            if (argument == null) {
                if (primitive[i]) {
                    throw new BadPayloadException("argument " + (i + 1) + " is null, but the parameter is "
                            + parameterTypes[i].getTypeName(), null);
                }
                continue;
            }
            if (exactClasses[i] != null && exactClasses[i].isInstance(argument)) {
                continue;
            }
            if (result == arguments) {
                result = arguments.clone();
            }
            try {
                result[i] = marshaller.convert(argument, parameterTypes[i]);
            }
            catch (BadPayloadException ex) {
                throw new BadPayloadException("argument " + (i + 1) + ": " + ex.getMessage(), ex);
            }
        }
        return result;
    }

    Object invoke(TaskContext context, Object[] arguments) throws Exception {
        return function.apply(context, arguments);
    }

    String signature() {
        return Arrays.stream(parameterTypes).map(Type::getTypeName).collect(Collectors.joining(", ", "(", ")"))
                + " -> " + resultType.getTypeName();
    }

    private static Class<?> box(Class<?> type) {
        if (!type.isPrimitive()) {
            return type;
        }
        if (type == int.class) {
            return Integer.class;
        }
        if (type == long.class) {
            return Long.class;
        }
        if (type == double.class) {
            return Double.class;
        }
        if (type == boolean.class) {
            return Boolean.class;
        }
        if (type == float.class) {
            return Float.class;
        }
        if (type == short.class) {
            return Short.class;
        }
        if (type == byte.class) {
            return Byte.class;
        }
        if (type == char.class) {
            return Character.class;
        }
        return Void.class;
    }
}
