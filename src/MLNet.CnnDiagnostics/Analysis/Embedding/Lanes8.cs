using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>Eight float lanes (AVX).</summary>
internal readonly struct Lanes8(Vector256<float> v) : ILaneVector<Lanes8>
{
    private readonly Vector256<float> _v = v;

    public static int Count => 8;

    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 operator +(Lanes8 a, Lanes8 b) => new(a._v + b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 operator -(Lanes8 a, Lanes8 b) => new(a._v - b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 operator *(Lanes8 a, Lanes8 b) => new(a._v * b._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 operator *(Lanes8 a, float b) => new(a._v * b);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 operator -(Lanes8 a) => new(-a._v);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Broadcast(float value) => new(Vector256.Create(value));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 Load(float[] source, int offset) => new(Vector256.Create(source, offset));
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void Store(float[] destination, int offset) => _v.CopyTo(destination, offset);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public static Lanes8 FromParts(ReadOnlySpan<Vector256<float>> parts) => new(parts[0]);
    [MethodImpl(MethodImplOptions.AggressiveInlining)] public void ToParts(Span<Vector256<float>> parts) => parts[0] = _v;

    /// <summary>Lane <paramref name="i"/>.</summary>
    public float this[int i] => _v.GetElement(i);
}
