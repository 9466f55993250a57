using System.Reflection;

namespace MLNet.CnnDiagnostics.Analysis.Attribution;

/// <summary>
/// Every attribution method by name: the report and the CLI list, validate and build methods here, so each one is
/// reachable from both. A method of this library registers itself with a static <see cref="AttributionDescriptor"/>
/// member in its own file (found when the registry is first used); other code adds methods with <see cref="Register"/>.
/// </summary>
public static class AttributionRegistry
{
    private static readonly Lock Gate = new();
    private static List<AttributionDescriptor>? _methods;

    /// <summary>Every registered method, in listing order (<see cref="AttributionDescriptor.Order"/>, then name).</summary>
    public static IReadOnlyList<AttributionDescriptor> Methods
    {
        get
        {
            lock (Gate) return [.. Discovered()];
        }
    }

    /// <summary>Every registered name, in listing order.</summary>
    public static IReadOnlyList<string> Names => Methods.Select(m => m.Name).ToList();

    /// <summary>The methods the report draws when its options name none.</summary>
    public static IReadOnlyList<AttributionDescriptor> ReportDefaults => Methods.Where(m => m.InReportByDefault).ToList();

    /// <summary>The method called <paramref name="name"/> (or with that alias, case-insensitive), or null.</summary>
    public static AttributionDescriptor? Find(string name)
    {
        ArgumentNullException.ThrowIfNull(name);
        return Methods.FirstOrDefault(m => m.Matches(name));
    }

    /// <summary>The method called <paramref name="name"/>; an unknown name throws, naming the closest and the valid names.</summary>
    public static AttributionDescriptor Get(string name) =>
        Find(name) ?? throw new CnnDiagnosticsException(
            $"attribution method '{DisplayText.Escape(name)}' is not registered; {ClosestNames.Suggest(name, Methods.SelectMany(m => m.Aliases.Prepend(m.Name)), 3)}; valid: {string.Join(", ", Names)}.");

    /// <summary>Adds a method; its name and aliases must not be taken.</summary>
    public static void Register(AttributionDescriptor method)
    {
        ArgumentNullException.ThrowIfNull(method);
        lock (Gate)
        {
            var list = Discovered();
            Check(list, method);
            list.Add(method);
            Sort(list);
        }
    }

    private static List<AttributionDescriptor> Discovered()
    {
        if (_methods is not null) return _methods;
        var list = new List<AttributionDescriptor>();
        const BindingFlags Static = BindingFlags.Static | BindingFlags.Public | BindingFlags.NonPublic | BindingFlags.DeclaredOnly;
        var types = typeof(AttributionMethod).Assembly.GetTypes()
            .Where(t => t.IsSubclassOf(typeof(AttributionMethod)) && !t.IsAbstract)
            .OrderBy(t => t.FullName, StringComparer.Ordinal);
        foreach (var type in types)
        {
            var values = type.GetProperties(Static).Where(p => p.PropertyType == typeof(AttributionDescriptor)).Select(p => p.GetValue(null))
                .Concat(type.GetFields(Static).Where(f => f.FieldType == typeof(AttributionDescriptor)).Select(f => f.GetValue(null)));
            // Distinct: an auto-property's backing field holds the same entry
            foreach (var method in values.OfType<AttributionDescriptor>().Distinct())
            {
                Check(list, method);
                list.Add(method);
            }
        }
        Sort(list);
        return _methods = list;
    }

    private static void Check(List<AttributionDescriptor> list, AttributionDescriptor method)
    {
        if (string.IsNullOrWhiteSpace(method.Name) || method.Name.Any(char.IsWhiteSpace))
            throw new ArgumentException($"attribution method name '{method.Name}' must be one word without spaces.", nameof(method));
        foreach (var name in method.Aliases.Prepend(method.Name))
            if (list.FirstOrDefault(m => m.Matches(name)) is { } taken)
                throw new ArgumentException($"attribution method name '{name}' is taken by '{taken.Name}' ({taken.DisplayName}).", nameof(method));
    }

    private static void Sort(List<AttributionDescriptor> list) =>
        list.Sort((a, b) => a.Order != b.Order ? a.Order.CompareTo(b.Order) : string.CompareOrdinal(a.Name, b.Name));
}
