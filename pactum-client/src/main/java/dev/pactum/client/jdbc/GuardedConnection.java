package dev.pactum.client.jdbc;

import java.lang.reflect.InvocationHandler;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Method;
import java.lang.reflect.Proxy;
import java.sql.Connection;
import java.sql.SQLException;

/**
 * The connection business code gets inside a transaction the SDK owns (a TCC barrier call, an inbox delivery): the
 * SDK's own connection, minus the calls that would end or escape that transaction. {@code commit()}, {@code rollback()}, {@code setAutoCommit(true)},
 * {@code close()} and {@code abort()} throw {@link SQLException} (SQLState 25000, invalid transaction state)
 * and are remembered, so that the owner rolls back even when the business code catches the exception and goes
 * on. Savepoints, statements, metadata and {@code unwrap} pass through.
 *
 * <p>One per call, used by the calling thread only. Internal to the SDK: public only because two of its packages
 * use it.
 */
public final class GuardedConnection implements InvocationHandler {
    /** SQLState of the refusal: invalid transaction state. */
    public static final String REFUSED_STATE = "25000";

    private final Connection target;
    private final String owner;
    private final Connection proxy;
    private String refused;

    /** @param owner names the transaction's owner in messages, e.g. "barrier g1/pay/confirm" */
    public GuardedConnection(Connection target, String owner) {
        this.target = target;
        this.owner = owner;
        this.proxy = (Connection) Proxy.newProxyInstance(Connection.class.getClassLoader(),
                new Class<?>[] {Connection.class}, this);
    }

    /** What to hand to the business code. */
    public Connection connection() {
        return proxy;
    }

    /** The first transaction-control call the business code attempted, e.g. {@code "commit()"}; null if none. */
    public String refusedCall() {
        return refused;
    }

    @Override
    public Object invoke(Object self, Method method, Object[] args) throws Throwable {
        String name = method.getName();
        int arity = args == null ? 0 : args.length;
        String control = switch (name) {
            case "commit", "close" -> arity == 0 ? name + "()" : null;
            case "rollback" -> arity == 0 ? "rollback()" : null; // rollback(Savepoint) is the business code's own
            case "abort" -> "abort(Executor)";
            case "setAutoCommit" -> Boolean.TRUE.equals(args[0]) ? "setAutoCommit(true)" : null;
            default -> null;
        };
        if (control != null) {
            if (refused == null) {
                refused = control;
            }
            throw new SQLException(owner + ": " + control + " refused: the SDK commits the business changes"
                    + " together with its own row; throw to roll back", REFUSED_STATE);
        }
        switch (name) {
            case "equals":
                return self == args[0];
            case "hashCode":
                return System.identityHashCode(self);
            case "toString":
                return "GuardedConnection[" + owner + ", " + target + "]";
            case "isWrapperFor":
                if (args[0] == Connection.class) {
                    return true;
                }
                break;
            case "unwrap":
                if (args[0] == Connection.class) {
                    return proxy; // the guarded view is a Connection; vendor classes come from the target
                }
                break;
            default:
                break;
        }
        try {
            return method.invoke(target, args);
        } catch (InvocationTargetException e) {
            throw e.getCause();
        }
    }
}
