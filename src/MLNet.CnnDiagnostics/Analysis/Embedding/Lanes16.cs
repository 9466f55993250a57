using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>Sixteen float lanes (AVX-512).</summary>
internal readonly struct Lanes16(Vector512<float> v) : ILaneVector<Lanes16>
{
    private readonly Vector512<float> _v = v;

    public static int Count => 16;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 operator +(Lanes16 a, Lanes16 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 operator -(Lanes16 a, Lanes16 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 operator *(Lanes16 a, Lanes16 b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 operator *(Lanes16 a, float b) => new(a._v * b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 operator -(Lanes16 a) => new(-a._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 Broadcast(float value) => new(Vector512.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 Load(float[] source, int offset) => new(Vector512.Create(source, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float[] destination, int offset) => _v.CopyTo(destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes16 FromParts(ReadOnlySpan<Vector256<float>> parts) => new(Vector512.Create(parts[0], parts[1]));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void ToParts(Span<Vector256<float>> parts)
    {
        parts[0] = _v.GetLower();
        parts[1] = _v.GetUpper();
    }

    /// <summary>Lane <paramref name="i"/>.</summary>
    public float this[int i] => _v.GetElement(i);
}
