package dev.nimbus.engine.policy;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.CelOptions;
import dev.cel.common.CelValidationException;
import dev.cel.common.types.MapType;
import dev.cel.common.types.SimpleType;
import dev.cel.compiler.CelCompiler;
import dev.cel.compiler.CelCompilerFactory;
import dev.cel.parser.CelStandardMacro;
import dev.cel.runtime.CelEvaluationException;
import dev.cel.runtime.CelRuntime;
import dev.cel.runtime.CelRuntimeFactory;
import dev.nimbus.core.error.ErrorCode;
import dev.nimbus.core.error.NimbusException;
import dev.nimbus.core.schema.TableSchema;

import java.util.Objects;
import java.util.Optional;

/**
 * Compiles a table's access policy once, when its schema is set, so that every later read and
 * write only evaluates a ready CEL program (see {@link CompiledPolicy} for the semantics).
 *
 * <p>Rules see these variables; {@code doc} and {@code write} are declared {@code dyn} so that
 * {@code doc == null} type-checks, {@code principal} is a {@code map(string, dyn)}:
 * <ul>
 *   <li>{@code principal}: {@code {"kind": "admin"|"user"|"anonymous"|"system", "subject": string,
 *       "claims": map}};</li>
 *   <li>{@code doc}: the stored document (for a write rule: before the write, {@code null} on
 *       insert);</li>
 *   <li>{@code write} (write rule only): the document as it will be after the write,
 *       {@code null} on delete.</li>
 * </ul>
 * How each {@link dev.nimbus.core.value.Value} kind appears in CEL is listed on
 * {@link RuleInputs#toCel}.
 */
public final class AccessPolicies {
    /** Longest rule source, in code points; bounds parse and check cost of a schema update. */
    public static final int RULE_CODE_POINTS_MAX = 4_096;
    /**
     * Most comprehension iterations ({@code all}, {@code exists}, {@code map}, ...) one evaluation
     * may run; nested macros over large arrays would otherwise make one read quadratic. Exceeding
     * it is an evaluation error, so access is denied.
     */
    public static final int COMPREHENSION_ITERATIONS_MAX = 10_000;

    private static final CelOptions OPTIONS = CelOptions.current()
            // Timestamps arrive as Instant (nanosecond precision) and bytes as CelByteString.
            .evaluateCanonicalTypesToNativeValues(true)
            // Documents mix int64, float64 and decimal; compare them numerically, as queries do.
            .enableHeterogeneousNumericComparisons(true)
            .comprehensionMaxIterations(COMPREHENSION_ITERATIONS_MAX)
            .maxExpressionCodePointSize(RULE_CODE_POINTS_MAX)
            .build();

    // CEL compilers and runtimes are immutable and thread-safe, so one of each serves every table.
    private static final CelCompiler READ_COMPILER = compiler(false);
    private static final CelCompiler WRITE_COMPILER = compiler(true);
    private static final CelRuntime RUNTIME = CelRuntimeFactory.standardCelRuntimeBuilder()
            .setOptions(OPTIONS)
            .build();

    private AccessPolicies() {
    }

    /**
     * Compiles both rules of {@code policy}. A rule that does not parse or type-check, or whose
     * result type is not {@code bool}, is rejected with {@link ErrorCode#INVALID_INPUT} and the
     * message {@code invalid policy.read rule: <CEL's message>} (or {@code policy.write}). A rule
     * typed {@code dyn} (such as {@code doc.published}) is accepted; if it evaluates to anything
     * but a bool, access is denied.
     */
    public static CompiledPolicy compile(TableSchema.AccessPolicy policy) {
        Objects.requireNonNull(policy, "policy");
        if (policy.read().isEmpty() && policy.write().isEmpty()) {
            return CompiledPolicy.ALLOW_ALL;
        }
        Optional<CompiledRule> read = policy.read().map(source -> compileRule("policy.read", source, READ_COMPILER));
        Optional<CompiledRule> write = policy.write().map(source -> compileRule("policy.write", source, WRITE_COMPILER));
        return new CompiledPolicy(read, write);
    }

    private static CompiledRule compileRule(String name, String source, CelCompiler compiler) {
        try {
            // The description names the rule in CEL's messages ("ERROR: policy.read:1:5: ...").
            CelAbstractSyntaxTree ast = compiler.compile(source, name).getAst();
            return new CompiledRule(name, RUNTIME.createProgram(ast));
        } catch (CelValidationException | CelEvaluationException e) {
            throw new NimbusException(ErrorCode.INVALID_INPUT, "invalid " + name + " rule: " + e.getMessage());
        }
    }

    private static CelCompiler compiler(boolean isWriteRule) {
        var builder = CelCompilerFactory.standardCelCompilerBuilder()
                .setOptions(OPTIONS)
                .setStandardMacros(CelStandardMacro.STANDARD_MACROS)
                .setResultType(SimpleType.BOOL)
                .addVar(RuleInputs.PRINCIPAL, MapType.create(SimpleType.STRING, SimpleType.DYN))
                .addVar(RuleInputs.DOC, SimpleType.DYN);
        if (isWriteRule) {
            builder.addVar(RuleInputs.WRITE, SimpleType.DYN);
        }
        return builder.build();
    }
}
