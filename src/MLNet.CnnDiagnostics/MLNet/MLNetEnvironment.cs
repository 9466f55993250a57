using System.Reflection;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Runtime;

namespace MLNet.CnnDiagnostics.MLNet;

/// <summary>
/// The few places where ML.NET keeps public concepts behind internal accessors: the catalog's environment
/// (for the log channel) and the constructor of <see cref="SchemaShape.Column"/> (for estimators' output schemas).
/// </summary>
internal static class MLNetEnvironment
{
    private static readonly ConstructorInfo? ColumnConstructor = typeof(SchemaShape.Column)
        .GetConstructors(BindingFlags.NonPublic | BindingFlags.Public | BindingFlags.Instance)
        .FirstOrDefault(c => c.GetParameters().Length == 5);

    /// <summary>The MLContext (or other environment) behind a catalog; a fresh context when it cannot be reached.</summary>
    public static IHostEnvironment Of(object catalog)
    {
        if (catalog is IHostEnvironment env) return env;
        foreach (var iface in catalog.GetType().GetInterfaces())
        {
            if (iface.Name != "IInternalCatalog") continue;
            if (iface.GetProperty("Environment")?.GetValue(catalog) is IHostEnvironment found) return found;
        }
        return (IHostEnvironment)(object)new MLContext();
    }

    /// <summary>Writes a line to ML.NET's log channel (seen through <c>MLContext.Log</c>).</summary>
    public static void Log(IHostEnvironment env, string component, string message)
    {
        var channel = env.Register(component).Start(component);
        try { channel.Info(MessageSensitivity.None, message); }
        finally { (channel as IDisposable)?.Dispose(); }
    }

    /// <summary>A schema-shape column of a known-size vector of the given item type.</summary>
    public static SchemaShape.Column VectorColumn(string name, DataViewType itemType, bool knownSize = true) =>
        MakeColumn(name, knownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector, itemType, false);

    /// <summary>A schema-shape column from a concrete column type.</summary>
    public static SchemaShape.Column ColumnOf(string name, DataViewType type) => type switch
    {
        VectorDataViewType v => MakeColumn(name, v.IsKnownSize ? SchemaShape.Column.VectorKind.Vector : SchemaShape.Column.VectorKind.VariableVector, v.ItemType, v.ItemType is KeyDataViewType),
        _ => MakeColumn(name, SchemaShape.Column.VectorKind.Scalar, type, type is KeyDataViewType),
    };

    private static SchemaShape.Column MakeColumn(string name, SchemaShape.Column.VectorKind kind, DataViewType itemType, bool isKey)
    {
        if (ColumnConstructor is null)
            throw new InvalidOperationException("this version of Microsoft.ML has no SchemaShape.Column constructor with 5 parameters; MLNet.CnnDiagnostics needs Microsoft.ML 5.0.x.");
        return (SchemaShape.Column)ColumnConstructor.Invoke([name, kind, itemType, isKey, null]);
    }
}
