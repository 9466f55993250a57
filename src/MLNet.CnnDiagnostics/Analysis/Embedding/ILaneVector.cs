using System.Runtime.Intrinsics;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// A SIMD register of float lanes, as a type parameter: the batched FFT is written once and the JIT specialises it
/// for 8 lanes (<see cref="Vector256{T}"/>) or 16 lanes (<see cref="Vector512{T}"/>).
/// </summary>
internal interface ILaneVector<TSelf> where TSelf : struct, ILaneVector<TSelf>
{
    static abstract int Count { get; }
    static abstract TSelf operator +(TSelf a, TSelf b);
    static abstract TSelf operator -(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, TSelf b);
    static abstract TSelf operator *(TSelf a, float b);
    static abstract TSelf operator -(TSelf a);
    static abstract TSelf Broadcast(float value);
    static abstract TSelf Load(float[] source, int offset);
    void Store(float[] destination, int offset);

    /// <summary>Lanes 8g..8g+7 from parts[g].</summary>
    static abstract TSelf FromParts(ReadOnlySpan<Vector256<float>> parts);

    /// <summary>parts[g] = lanes 8g..8g+7.</summary>
    void ToParts(Span<Vector256<float>> parts);
}
