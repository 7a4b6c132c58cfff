package dev.rollback.examples.docs;

import dev.rollback.core.RollbackException;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import java.io.IOException;
import java.lang.reflect.Field;
import java.lang.reflect.Modifier;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The conventions of docs/errors.md, checked against the main code of every module (read as
 * source, so that modules this one does not depend on count too) and, for the modules on this
 * module's class path, against the compiled classes.
 */
class ApiConventionsTest {
    private static final Pattern PACKAGE = Pattern.compile("^package ([\\w.]+);", Pattern.MULTILINE);
    private static final Pattern TOP_LEVEL = Pattern.compile(
            "^public (?:(?:final|abstract|sealed|non-sealed) )*(?:class|interface|record|enum|@interface) (\\w+)", Pattern.MULTILINE);
    private static final Pattern NESTED = Pattern.compile(
            "^\\s+public (?:(?:static|final|abstract|sealed|non-sealed) )*(?:class|interface|record|enum|@interface) (\\w+)", Pattern.MULTILINE);
    private static final Pattern ANY_EXCEPTION = Pattern.compile(
            "class (\\w+)(?:<[^>]*>)?\\s+extends\\s+([\\w.]*(?:Exception|Error|Throwable))\\b");
    private static final Pattern EXCEPTION = Pattern.compile(
            "public (?:static )?((?:final |abstract )*)class (\\w+) extends (\\w+Exception) \\{");
    private static final Pattern CODE = Pattern.compile("public static final String CODE = \"([a-z0-9.]+)\";");
    private static final Pattern TABLE_ROW = Pattern.compile("^\\| `([a-z0-9.]+)` \\| `([\\w.]+)` \\|", Pattern.MULTILINE);

    private static final Map<String, List<Path>> topLevelTypes = new TreeMap<>();
    /** Public member types (such as {@code StepResult.Status}): simple name to the files that declare one. */
    private static final Map<String, List<Path>> nestedTypes = new TreeMap<>();
    /** Every class in the main code that extends an exception type: simple name to its package. */
    private static final Map<String, String> allExceptionPackages = new TreeMap<>();
    /** Every exception type below RollbackException: simple name to its source. */
    private static final Map<String, ExceptionSource> exceptions = new TreeMap<>();

    record ExceptionSource(Path file, String qualifiedName, String modifiers, String parent, String code, boolean returnsCode) {
    }

    @BeforeAll
    static void readMainCode() throws IOException {
        Path root = DocSnippets.repositoryRoot();
        List<Path> sources;
        try (Stream<Path> files = Files.walk(root, 12)) {
            sources = files.filter(p -> p.toString().endsWith(".java") && p.toString().contains("/src/main/java/")
                    && !p.toString().contains("/target/")).sorted().toList();
        }
        Map<String, ExceptionSource> all = new LinkedHashMap<>();
        for (Path file : sources) {
            String text = Files.readString(file);
            Matcher pkg = PACKAGE.matcher(text);
            String packageName = pkg.find() ? pkg.group(1) : "";
            Matcher t = TOP_LEVEL.matcher(text);
            while (t.find()) {
                topLevelTypes.computeIfAbsent(t.group(1), k -> new ArrayList<>()).add(root.relativize(file));
            }
            Matcher n = NESTED.matcher(text);
            while (n.find()) {
                nestedTypes.computeIfAbsent(n.group(1), k -> new ArrayList<>()).add(root.relativize(file));
            }
            Matcher any = ANY_EXCEPTION.matcher(text);
            while (any.find()) {
                allExceptionPackages.put(any.group(1), packageName);
            }
            Matcher e = EXCEPTION.matcher(text);
            while (e.find()) {
                String body = text.substring(e.end());
                Matcher code = CODE.matcher(body);
                String outer = file.getFileName().toString().replace(".java", "");
                String qualified = packageName + "." + (outer.equals(e.group(2)) ? outer : outer + "$" + e.group(2));
                all.put(e.group(2), new ExceptionSource(root.relativize(file), qualified, e.group(1), e.group(3),
                        code.find() ? code.group(1) : null, body.contains("public String code() {\n") && body.contains("return CODE;")));
            }
        }
        // Keep the types below RollbackException (an IOException subclass in an internal package is not one).
        for (Map.Entry<String, ExceptionSource> x : all.entrySet()) {
            if (belowRollbackException(x.getValue(), all)) {
                exceptions.put(x.getKey(), x.getValue());
            }
        }
        assertThat(exceptions).as("exception types found in the main code").hasSizeGreaterThan(30);
    }

    private static boolean belowRollbackException(ExceptionSource e, Map<String, ExceptionSource> all) {
        for (String parent = e.parent(); parent != null; ) {
            if (parent.equals("RollbackException")) {
                return true;
            }
            ExceptionSource p = all.get(parent);
            parent = p == null ? null : p.parent();
        }
        return false;
    }

    @Test
    void noTwoPublicTopLevelTypesShareASimpleName() {
        Map<String, List<Path>> shared = new TreeMap<>();
        topLevelTypes.forEach((name, files) -> {
            if (files.size() > 1) {
                shared.put(name, files);
            }
        });
        assertThat(shared).as("public top-level types with the same simple name").isEmpty();
    }

    @Test
    void noPublicMemberTypeSharesItsNameWithATopLevelTypeOfAnotherModuleOrAnException() {
        // Member types such as StepResult.Status or GitCredentials.Kind are always written with their outer
        // type (as the JDK's Thread.State); what may not happen is that one reads like another module's
        // top-level type, or that an exception is declared twice.
        Map<String, List<Path>> shared = new TreeMap<>();
        nestedTypes.forEach((name, files) -> {
            for (Path member : files) {
                for (Path top : topLevelTypes.getOrDefault(name, List.of())) {
                    if (!member.getName(0).equals(top.getName(0))) {
                        shared.computeIfAbsent(name, k -> new ArrayList<>()).addAll(List.of(member, top));
                    }
                }
            }
            if (name.endsWith("Exception") && files.size() > 1) {
                shared.put(name, files);
            }
        });
        assertThat(shared).as("public member types named like another module's top-level type, or exceptions declared twice").isEmpty();
    }

    @Test
    void everyExceptionOutsideTheHierarchyIsInternal() {
        // An exception type that is not below RollbackException never reaches a caller: it lives in an
        // internal package and its module turns it into one of its own before it leaves.
        List<String> outside = new ArrayList<>();
        allExceptionPackages.forEach((name, pkg) -> {
            if (!exceptions.containsKey(name) && !name.equals("RollbackException") && !pkg.contains(".internal")) {
                outside.add(pkg + "." + name);
            }
        });
        assertThat(allExceptionPackages).as("exception classes found").hasSizeGreaterThan(exceptions.size());
        assertThat(outside).as("exception types outside RollbackException's hierarchy in a public package").isEmpty();
    }

    @Test
    void eachModuleHasOneRootAndEveryTypeBelowItIsFinal() {
        List<String> problems = new ArrayList<>();
        Map<String, Set<String>> rootsByModule = new TreeMap<>();
        exceptions.forEach((name, e) -> {
            String module = e.file().getName(0).toString();
            boolean core = module.equals("rollback-core");
            boolean root = !core && e.parent().equals("RollbackException");
            if (root) {
                rootsByModule.computeIfAbsent(module, k -> new TreeSet<>()).add(name);
            } else if (!e.modifiers().contains("final") && !name.equals("RollbackException")) {
                problems.add(name + " (" + e.file() + ") is not final: every type below a module root is a final leaf");
            }
            boolean parentIsRoot = e.parent().equals("RollbackException") || !core && exceptions.containsKey(e.parent())
                    && exceptions.get(e.parent()).parent().equals("RollbackException");
            if (!parentIsRoot) {
                problems.add(name + " extends " + e.parent() + ", which is not a module root");
            }
        });
        rootsByModule.forEach((module, roots) -> {
            if (roots.size() > 1) {
                problems.add(module + " has more than one root: " + roots);
            }
            String root = roots.iterator().next();
            boolean hasLeaves = exceptions.values().stream().anyMatch(e -> e.parent().equals(root));
            String modifiers = exceptions.get(root).modifiers();
            if (hasLeaves ? !modifiers.contains("abstract") : !modifiers.contains("final")) {
                problems.add(root + " is " + module + "'s root: abstract above its leaves, or final when it is the module's only type");
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void everyConcreteTypeHasItsOwnCodeAndReturnsIt() {
        List<String> problems = new ArrayList<>();
        Map<String, String> typeByCode = new TreeMap<>();
        exceptions.forEach((name, e) -> {
            if (e.modifiers().contains("abstract")) {
                return;
            }
            if (e.code() == null || !e.returnsCode()) {
                problems.add(name + " (" + e.file() + ") has no CODE constant returned by code()");
            } else if (typeByCode.put(e.code(), name) != null) {
                problems.add("code " + e.code() + " is used by " + name + " and " + typeByCode.get(e.code()));
            }
        });
        assertThat(problems).isEmpty();
    }

    @Test
    void theCompiledTypesOnThisClassPathAgree() throws ReflectiveOperationException {
        int checked = 0;
        for (ExceptionSource e : exceptions.values()) {
            Class<?> type;
            try {
                type = Class.forName(e.qualifiedName(), false, getClass().getClassLoader());
            } catch (ClassNotFoundException notOnThisClassPath) {
                continue;   // a module rollback-examples does not depend on; its source was checked above
            }
            assertThat(RollbackException.class).isAssignableFrom(type);
            if (Modifier.isAbstract(type.getModifiers())) {
                continue;
            }
            assertThat(Modifier.isFinal(type.getModifiers())).as(type.getName()).isTrue();
            Field code = type.getField("CODE");
            assertThat(Modifier.isStatic(code.getModifiers()) && Modifier.isFinal(code.getModifiers())).as(type.getName()).isTrue();
            assertThat(type.getDeclaredMethod("code").getReturnType()).isEqualTo(String.class);
            checked++;
        }
        assertThat(checked).as("exception types checked as classes").isGreaterThan(30);
    }

    @Test
    void theErrorsPageListsEveryCodeWithItsTypeAndNothingElse() throws IOException {
        String page = Files.readString(DocSnippets.repositoryRoot().resolve("docs/errors.md"));
        Map<String, String> documented = new TreeMap<>();
        Matcher row = TABLE_ROW.matcher(page);
        while (row.find()) {
            String type = row.group(2);
            documented.put(row.group(1), type.substring(type.lastIndexOf('.') + 1));
        }
        Map<String, String> inCode = new TreeMap<>();
        exceptions.forEach((name, e) -> {
            if (e.code() != null) {
                inCode.put(e.code(), name);
            }
        });
        assertThat(documented).as("docs/errors.md's table against the code").isEqualTo(inCode);
    }
}
