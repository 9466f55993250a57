using MLNet.CnnDiagnostics.Rendering;

namespace MLNet.CnnDiagnostics.Tests.Rendering;

[TestClass]
public sealed class RgbColorTests
{
    [TestMethod]
    public void Parse_ReadsHexWithOrWithoutHash_AndRoundTripsThroughToString()
    {
        Assert.AreEqual(new RgbColor(0x21, 0x91, 0x8C), RgbColor.Parse("#21918c"));
        Assert.AreEqual(new RgbColor(0xFD, 0xE7, 0x25), RgbColor.Parse("FDE725"));
        Assert.AreEqual("#B2182B", new RgbColor(0xB2, 0x18, 0x2B).ToString());
        Assert.AreEqual(new RgbColor(1, 2, 3), RgbColor.Parse(new RgbColor(1, 2, 3).ToString()));
    }

    [TestMethod]
    [DataRow("#12345")]
    [DataRow("#1234567")]
    [DataRow("#12345G")]
    [DataRow("")]
    public void Parse_RejectsWhatIsNotSixHexDigits_NamingTheValue(string text)
    {
        var e = Assert.ThrowsExactly<FormatException>(() => RgbColor.Parse(text));
        StringAssert.Contains(e.Message, $"'{text}'");
        StringAssert.Contains(e.Message, "six hexadecimal digits");
    }

    [TestMethod]
    public void PublicRenderingApi_ExposesNoSkiaSharpType()
    {
        var offenders = typeof(RgbImage).Assembly.GetExportedTypes()
            .SelectMany(t => t.GetMembers(System.Reflection.BindingFlags.Public | System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.Static | System.Reflection.BindingFlags.DeclaredOnly)
                .Where(m => SignatureTypes(m).Any(x => x.Namespace == "SkiaSharp"))
                .Select(m => $"{t.Name}.{m.Name}"))
            .ToList();
        Assert.IsEmpty(offenders, "public members with SkiaSharp types: " + string.Join(", ", offenders));
    }

    private static IEnumerable<Type> SignatureTypes(System.Reflection.MemberInfo member)
    {
        IEnumerable<Type> types = member switch
        {
            System.Reflection.MethodInfo m => m.GetParameters().Select(p => p.ParameterType).Append(m.ReturnType),
            System.Reflection.ConstructorInfo c => c.GetParameters().Select(p => p.ParameterType),
            System.Reflection.PropertyInfo p => [p.PropertyType],
            System.Reflection.FieldInfo f => [f.FieldType],
            System.Reflection.EventInfo e => [e.EventHandlerType!],
            _ => [],
        };
        return types.SelectMany(Unwrap);
    }

    private static IEnumerable<Type> Unwrap(Type t)
    {
        if (t.HasElementType) return Unwrap(t.GetElementType()!);
        return t.IsGenericType ? t.GetGenericArguments().SelectMany(Unwrap).Append(t) : [t];
    }
}
