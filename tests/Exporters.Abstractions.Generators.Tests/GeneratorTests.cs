using System.Collections.Immutable;
using Microsoft.CodeAnalysis;
using Microsoft.CodeAnalysis.CSharp;
using Microsoft.Extensions.Configuration;

namespace Exporters.Abstractions.Generators.Tests;

/// <summary>The options binder generator run on small compilations: what it generates compiles, and what it cannot bind it names.</summary>
public class GeneratorTests
{
    private static (ImmutableArray<Diagnostic> GeneratorDiagnostics, ImmutableArray<Diagnostic> CompilationErrors, string Generated) Run(string source)
    {
        var references = ((string)AppContext.GetData("TRUSTED_PLATFORM_ASSEMBLIES")!).Split(Path.PathSeparator)
            .Where(p => Path.GetFileName(p).StartsWith("System.", StringComparison.Ordinal) || Path.GetFileName(p) is "netstandard.dll" or "mscorlib.dll")
            .Append(typeof(CollectorOptions).Assembly.Location)
            .Append(typeof(ConfigurationKeyNameAttribute).Assembly.Location)
            .Append(typeof(IConfiguration).Assembly.Location)
            .Distinct(StringComparer.Ordinal)
            .Select(p => MetadataReference.CreateFromFile(p));
        var parseOptions = new CSharpParseOptions(LanguageVersion.Latest);
        var compilation = CSharpCompilation.Create(
            "Sample",
            [CSharpSyntaxTree.ParseText(source, parseOptions)],
            references,
            new CSharpCompilationOptions(OutputKind.DynamicallyLinkedLibrary, nullableContextOptions: NullableContextOptions.Enable));
        var driver = CSharpGeneratorDriver.Create([new OptionsBinderGenerator().AsSourceGenerator()], parseOptions: parseOptions).RunGeneratorsAndUpdateCompilation(compilation, out var output, out var diagnostics);
        var generated = string.Join("\n", driver.GetRunResult().GeneratedTrees.Select(t => t.ToString()));
        return (diagnostics, [.. output.GetDiagnostics().Where(d => d.Severity == DiagnosticSeverity.Error)], generated);
    }

    private const string Usings = "using System; using System.Collections.Generic; using Exporters.Abstractions; using Microsoft.Extensions.Configuration;\n";

    [Fact]
    public void Generated_binder_of_every_supported_shape_compiles()
    {
        var (diagnostics, errors, generated) = Run(Usings + """
            namespace Demo;
            public enum Mode { A, B }
            public sealed class Inner { [ConfigurationKeyName("x")] public int X { get; set; } [Secret] public string? Key { get; set; } }
            public sealed class Tls : ClientTlsOptions { [ConfigurationKeyName("server_name")] public string? ServerName { get; set; } }
            public static partial class Outer
            {
                public sealed partial class DemoOptions : CollectorOptions
                {
                    [ConfigurationKeyName("address")] public string Address { get; set; } = "";
                    [Secret] public string? Password { get; set; }
                    public int? Port { get; set; }
                    public uint Count { get; set; }
                    public decimal Money { get; set; }
                    public Mode Mode { get; set; }
                    public TimeSpan Wait { get; set; }
                    public Uri? Endpoint { get; set; }
                    public string[] Array { get; set; } = [];
                    public IReadOnlyList<string> ReadOnlyList { get; set; } = [];
                    public List<string> GetOnlyList { get; } = [];
                    public IReadOnlyDictionary<string, string> ReadOnlyMap { get; set; } = new Dictionary<string, string>();
                    public Inner Inner { get; set; } = new();
                    public Inner GetOnlyInner { get; } = new();
                    public Tls Tls { get; set; } = new();
                    public IList<Inner> Items { get; set; } = [];
                    public Dictionary<string, Inner> ByName { get; set; } = [];
                    public IDictionary<string, Inner> GetOnlyByName { get; } = new Dictionary<string, Inner>();
                    public bool Computed => Port is not null;
                }
            }
            """);
        Assert.Empty(diagnostics);
        Assert.Empty(errors);
        Assert.Contains("IGeneratedOptions", generated, StringComparison.Ordinal);
        Assert.Contains("\"server_name\"", generated, StringComparison.Ordinal);
        Assert.DoesNotContain("\"Computed\"", generated, StringComparison.Ordinal);
    }

    [Fact]
    public void An_options_class_that_is_not_partial_is_an_error_naming_it()
    {
        var (diagnostics, _, generated) = Run(Usings + "namespace Demo; public sealed class PlainOptions : CollectorOptions { public string? A { get; set; } }");
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("EXPOPT001", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Error, diagnostic.Severity);
        Assert.Contains("'PlainOptions' must be declared partial", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
        Assert.Empty(generated);
    }

    [Fact]
    public void A_nesting_type_that_is_not_partial_is_an_error_too()
    {
        var (diagnostics, _, _) = Run(Usings + "namespace Demo; public static class Holder { public sealed partial class InnerOptions : CollectorOptions { } }");
        Assert.Equal("EXPOPT001", Assert.Single(diagnostics).Id);
    }

    [Fact]
    public void A_property_type_that_cannot_be_bound_is_an_error_naming_the_property()
    {
        var (diagnostics, _, _) = Run(Usings + "namespace Demo; public sealed partial class BadOptions : CollectorOptions { public object? Thing { get; set; } public Dictionary<int, string> ByNumber { get; set; } = []; }");
        Assert.Equal(2, diagnostics.Length);
        Assert.All(diagnostics, d => Assert.Equal("EXPOPT002", d.Id));
        Assert.Contains(diagnostics, d => d.GetMessage(System.Globalization.CultureInfo.InvariantCulture).Contains("'BadOptions.Thing' of type 'object", StringComparison.Ordinal));
    }

    [Fact]
    public void Two_properties_with_one_key_are_an_error()
    {
        var (diagnostics, _, _) = Run(Usings + "namespace Demo; public sealed partial class DupOptions : CollectorOptions { [ConfigurationKeyName(\"timeout\")] public int Other { get; set; } }");
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("EXPOPT003", diagnostic.Id);
        Assert.Contains("'timeout'", diagnostic.GetMessage(System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
    }

    [Fact]
    public void A_secret_that_is_not_text_is_a_warning()
    {
        var (diagnostics, errors, _) = Run(Usings + "namespace Demo; public sealed partial class PinOptions : CollectorOptions { [Secret] public int Pin { get; set; } }");
        var diagnostic = Assert.Single(diagnostics);
        Assert.Equal("EXPOPT004", diagnostic.Id);
        Assert.Equal(DiagnosticSeverity.Warning, diagnostic.Severity);
        Assert.Empty(errors);
    }

    [Fact]
    public void Abstract_options_classes_are_left_to_their_concrete_subclasses()
    {
        var (diagnostics, errors, generated) = Run(Usings + "namespace Demo; public abstract class BaseOptions : CollectorOptions { public string? Shared { get; set; } } public sealed partial class LeafOptions : BaseOptions { public int Own { get; set; } }");
        Assert.Empty(diagnostics);
        Assert.Empty(errors);
        Assert.Contains("\"Shared\"", generated, StringComparison.Ordinal);
        Assert.Single(System.Text.RegularExpressions.Regex.Matches(generated, "IGeneratedOptions.Bind"));
    }
}
