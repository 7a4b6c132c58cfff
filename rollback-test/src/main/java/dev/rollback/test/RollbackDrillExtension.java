package dev.rollback.test;

import dev.rollback.core.journal.FileJournal;
import dev.rollback.core.journal.InMemoryJournal;
import org.junit.jupiter.api.extension.AfterEachCallback;
import org.junit.jupiter.api.extension.ExtensionConfigurationException;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.ParameterContext;
import org.junit.jupiter.api.extension.ParameterResolver;
import org.junit.platform.commons.support.AnnotationSupport;
import org.slf4j.LoggerFactory;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Optional;

/**
 * JUnit 5 extension that hands a fresh {@link Drill} to each test (one per test method, shared
 * by its {@code @BeforeEach} methods), configured by {@link RollbackDrill}, and deletes the
 * drill's journal folder after the test. Register it with {@code @RollbackDrill}, or with
 * {@code @ExtendWith(RollbackDrillExtension.class)} for the defaults.
 *
 * <pre>{@code
 * @ExtendWith(RollbackDrillExtension.class)
 * class PlanTest {
 *     @Test
 *     void stopsForApproval(Drill drill) {
 *         drill.confirmations(Confirmations.none());
 *         assertThat(drill.attempt(plan)).needsApproval();
 *     }
 * }
 * }</pre>
 */
public final class RollbackDrillExtension implements ParameterResolver, AfterEachCallback {
    private static final ExtensionContext.Namespace NAMESPACE = ExtensionContext.Namespace.create(RollbackDrillExtension.class);
    private static final String KEY = "drill";

    /** Made by JUnit. */
    public RollbackDrillExtension() {
    }

    @Override
    public boolean supportsParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        return parameterContext.getParameter().getType() == Drill.class;
    }

    @Override
    public Object resolveParameter(ParameterContext parameterContext, ExtensionContext extensionContext) {
        if (extensionContext.getTestMethod().isEmpty()) {
            throw new ExtensionConfigurationException("a Drill is made per test method; take it as a parameter of a @Test or "
                    + "@BeforeEach method, not of a constructor or @BeforeAll method");
        }
        return extensionContext.getStore(NAMESPACE).getOrComputeIfAbsent(KEY, k -> create(extensionContext), Holder.class).drill;
    }

    @Override
    public void afterEach(ExtensionContext context) {
        Holder h = context.getStore(NAMESPACE).remove(KEY, Holder.class);
        if (h != null && h.directory != null) {
            deleteTree(h.directory);
        }
    }

    private static Holder create(ExtensionContext context) {
        RollbackDrill config = find(context).orElse(null);
        String approver = config == null ? "drill" : config.approver();
        String operator = config == null ? "drill" : config.operator();
        if (approver.isBlank()) {
            throw new ExtensionConfigurationException("@RollbackDrill(approver = \"\") is blank; name who approves destructive steps");
        }
        if (config != null && config.journal() == RollbackDrill.JournalKind.FILE) {
            try {
                Path dir = Files.createTempDirectory("rollback-drill-");
                return new Holder(new Drill(FileJournal.in(dir), dir, approver, operator), dir);
            } catch (IOException e) {
                throw new UncheckedIOException("Could not create a temporary folder for the drill's file journal", e);
            }
        }
        return new Holder(new Drill(InMemoryJournal.create(), null, approver, operator), null);
    }

    private static Optional<RollbackDrill> find(ExtensionContext context) {
        Optional<RollbackDrill> onMethod = context.getTestMethod().flatMap(m -> AnnotationSupport.findAnnotation(m, RollbackDrill.class));
        if (onMethod.isPresent()) {
            return onMethod;
        }
        for (Optional<Class<?>> c = context.getTestClass(); c.isPresent(); c = Optional.ofNullable(c.get().getEnclosingClass())) {
            Optional<RollbackDrill> a = AnnotationSupport.findAnnotation(c.get(), RollbackDrill.class);
            if (a.isPresent()) {
                return a;
            }
        }
        return Optional.empty();
    }

    private static void deleteTree(Path root) {
        try {
            Files.walkFileTree(root, new SimpleFileVisitor<>() {
                @Override
                public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                    Files.delete(file);
                    return FileVisitResult.CONTINUE;
                }

                @Override
                public FileVisitResult postVisitDirectory(Path dir, IOException exc) throws IOException {
                    Files.delete(dir);
                    return FileVisitResult.CONTINUE;
                }
            });
        } catch (IOException e) {
            // A folder left in the temp dir must not fail a test that passed; it says where it is.
            LoggerFactory.getLogger(RollbackDrillExtension.class).warn("Could not delete drill journal folder {}: {}", root, e.toString());
        }
    }

    private record Holder(Drill drill, Path directory) {
    }
}
