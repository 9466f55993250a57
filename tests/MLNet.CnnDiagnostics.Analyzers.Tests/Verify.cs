using Microsoft.CodeAnalysis.CodeFixes;
using Microsoft.CodeAnalysis.CSharp.Testing;
using Microsoft.CodeAnalysis.Diagnostics;
using Microsoft.CodeAnalysis.Testing;
using Microsoft.CodeAnalysis.Text;

namespace MLNet.CnnDiagnostics.Analyzers.Tests;

/// <summary>Runs an analyzer (and a code fix) over a test source plus the library stand-in, with {|ID:span|} markup.</summary>
internal static class Verify<TAnalyzer>
    where TAnalyzer : DiagnosticAnalyzer, new()
{
    public static Task AnalyzerAsync(string source, params DiagnosticResult[] expected) =>
        AnalyzerAsync(source, [], expected);

    public static Task AnalyzerAsync(string source, (string Path, SourceText Text)[] additionalFiles, params DiagnosticResult[] expected) =>
        AnalyzerInProjectAsync(source, null, additionalFiles, expected);

    /// <summary>As <see cref="AnalyzerAsync(string, DiagnosticResult[])"/>, with MSBuild's project folder visible to the analyzer (as the package's props make it).</summary>
    public static async Task AnalyzerInProjectAsync(string source, string? projectDirectory, (string Path, SourceText Text)[] additionalFiles, params DiagnosticResult[] expected)
    {
        var test = new CSharpAnalyzerTest<TAnalyzer, DefaultVerifier> { ReferenceAssemblies = AnalyzerTestSetup.Net10 };
        Prepare(test.TestState, source);
        if (projectDirectory is not null)
            test.TestState.AnalyzerConfigFiles.Add(("/.globalconfig", $"is_global = true\nbuild_property.MSBuildProjectDirectory = {projectDirectory}\n"));
        test.TestState.AdditionalReferences.AddRange(AnalyzerTestSetup.References);
        foreach (var file in additionalFiles) test.TestState.AdditionalFiles.Add(file);
        test.ExpectedDiagnostics.AddRange(expected);
        await test.RunAsync();
    }

    public static async Task CodeFixAsync<TCodeFix>(string source, string fixedSource, string? fixAllSource = null)
        where TCodeFix : CodeFixProvider, new()
    {
        var test = new CSharpCodeFixTest<TAnalyzer, TCodeFix, DefaultVerifier> { ReferenceAssemblies = AnalyzerTestSetup.Net10 };
        Prepare(test.TestState, source);
        test.TestState.AdditionalReferences.AddRange(AnalyzerTestSetup.References);
        Prepare(test.FixedState, fixedSource);
        if (fixAllSource is not null) Prepare(test.BatchFixedState, fixAllSource);
        await test.RunAsync();
    }

    private static void Prepare(SolutionState state, string source)
    {
        state.Sources.Add(("Program.cs", source));
        state.Sources.Add(("CnnDiagnosticsStandIn.cs", AnalyzerTestSetup.LibraryStandIn));
    }
}
