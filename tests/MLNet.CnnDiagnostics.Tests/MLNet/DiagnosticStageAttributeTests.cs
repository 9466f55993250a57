using System.Reflection;
using Microsoft.ML;

namespace MLNet.CnnDiagnostics.Tests.MLNet;

/// <summary>
/// The analyzers know the taps only through <see cref="DiagnosticStageAttribute"/>: every public catalog method that
/// returns one of the library's estimators must carry it, and the parameters it names must exist on the method.
/// </summary>
[TestClass]
public sealed class DiagnosticStageAttributeTests
{
    private static readonly Assembly Library = typeof(DiagnosticStageAttribute).Assembly;

    [TestMethod]
    public void EveryCatalogMethodReturningALibraryEstimator_IsMarked()
    {
        var catalogMethods = Library.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Where(m => m.GetParameters() is [{ ParameterType: var first }, ..] && first == typeof(TransformsCatalog))
            .Where(m => m.ReturnType.Assembly == Library && typeof(IEstimator<ITransformer>).IsAssignableFrom(m.ReturnType))
            .ToList();
        Assert.IsGreaterThanOrEqualTo(6, catalogMethods.Count, "the taps and their options overloads");
        var unmarked = catalogMethods.Where(m => m.GetCustomAttribute<DiagnosticStageAttribute>() is null).Select(m => m.Name).ToList();
        Assert.IsEmpty(unmarked, "catalog methods the analyzers would not see as taps: " + string.Join(", ", unmarked));
        var visualization = typeof(VisualizationExtensions).GetMethod(nameof(VisualizationExtensions.AppendVisualization))!;
        Assert.AreEqual(DiagnosticStageKind.Visualization, visualization.GetCustomAttribute<DiagnosticStageAttribute>()?.Kind);
    }

    [TestMethod]
    public void ParametersNamedByTheAttribute_Exist()
    {
        var marked = Library.GetExportedTypes()
            .SelectMany(t => t.GetMethods(BindingFlags.Public | BindingFlags.Static))
            .Select(m => (Method: m, Stage: m.GetCustomAttribute<DiagnosticStageAttribute>()))
            .Where(x => x.Stage is not null)
            .ToList();
        foreach (var (method, stage) in marked)
        {
            var parameters = method.GetParameters().ToDictionary(p => p.Name!, p => p.ParameterType);
            foreach (var (role, name, types) in new[]
            {
                ("layers", stage!.LayersParameter, new[] { typeof(string), typeof(string[]) }),
                ("model", stage.ModelParameter, new[] { typeof(string) }),
                ("output column", stage.OutputColumnParameter, new[] { typeof(string) }),
            })
            {
                if (name is null) continue;
                Assert.IsTrue(parameters.TryGetValue(name, out var type), $"{method.Name}: the {role} parameter '{name}' does not exist");
                CollectionAssert.Contains(types, type, $"{method.Name}: the {role} parameter '{name}' is a {type.Name}");
            }
            if (stage!.ColumnPerLayer) Assert.IsNotNull(stage.LayersParameter, $"{method.Name}: ColumnPerLayer needs LayersParameter");
        }
    }
}
