using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace MLNet.CnnDiagnostics.Analysis;

/// <summary>
/// Blocked dot products A·Bᵀ: B's rows are packed column-wise into a panel (depth × width, width a multiple of 16)
/// so that a 4×16 register tile of results is built from broadcasts of A and contiguous loads of the panel.
/// </summary>
internal static unsafe class DotProductPanel
{
    public const int Tile = 16;

    public static int Padded(int width) => (width + Tile - 1) / Tile * Tile;

    /// <summary>panel[t*width + j] = rows[(first+j)*depth + t] for j &lt; count, zero for the padding columns.</summary>
    public static void Pack(float[] rows, int depth, int first, int count, float[] panel, int width)
    {
        Array.Clear(panel, 0, depth * width);
        for (int j = 0; j < count; j++)
        {
            int src = (first + j) * depth;
            for (int t = 0; t < depth; t++) panel[t * width + j] = rows[src + t];
        }
    }

    /// <summary>
    /// output[r*width + j] = Σ_t a[(first+r)*depth + t] · panel[t*width + j] for r &lt; rowCount and all j &lt; width.
    /// </summary>
    public static void Multiply(float[] a, int depth, int first, int rowCount, float[] panel, int width, float[] output)
    {
        fixed (float* pa = a, pp = panel, po = output)
        {
            int r = 0;
            for (; r + 4 <= rowCount; r += 4)
                Rows4(pa + (long)(first + r) * depth, depth, pp, width, po + (long)r * width);
            for (; r < rowCount; r++)
                Row1(pa + (long)(first + r) * depth, depth, pp, width, po + (long)r * width);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static Vector256<float> MulAdd(Vector256<float> a, Vector256<float> b, Vector256<float> c)
        => Fma.IsSupported ? Fma.MultiplyAdd(a, b, c) : a * b + c;

    private static void Rows4(float* a, int depth, float* panel, int width, float* output)
    {
        float* a1 = a + depth, a2 = a1 + depth, a3 = a2 + depth;
        for (int j = 0; j < width; j += Tile)
        {
            Vector256<float> c00 = default, c01 = default, c10 = default, c11 = default,
                             c20 = default, c21 = default, c30 = default, c31 = default;
            float* p = panel + j;
            for (int t = 0; t < depth; t++, p += width)
            {
                var b0 = Vector256.Load(p);
                var b1 = Vector256.Load(p + 8);
                var x = Vector256.Create(a[t]);
                c00 = MulAdd(x, b0, c00); c01 = MulAdd(x, b1, c01);
                x = Vector256.Create(a1[t]);
                c10 = MulAdd(x, b0, c10); c11 = MulAdd(x, b1, c11);
                x = Vector256.Create(a2[t]);
                c20 = MulAdd(x, b0, c20); c21 = MulAdd(x, b1, c21);
                x = Vector256.Create(a3[t]);
                c30 = MulAdd(x, b0, c30); c31 = MulAdd(x, b1, c31);
            }
            float* o = output + j;
            c00.Store(o); c01.Store(o + 8); o += width;
            c10.Store(o); c11.Store(o + 8); o += width;
            c20.Store(o); c21.Store(o + 8); o += width;
            c30.Store(o); c31.Store(o + 8);
        }
    }

    private static void Row1(float* a, int depth, float* panel, int width, float* output)
    {
        for (int j = 0; j < width; j += Tile)
        {
            Vector256<float> c0 = default, c1 = default;
            float* p = panel + j;
            for (int t = 0; t < depth; t++, p += width)
            {
                var x = Vector256.Create(a[t]);
                c0 = MulAdd(x, Vector256.Load(p), c0);
                c1 = MulAdd(x, Vector256.Load(p + 8), c1);
            }
            c0.Store(output + j); c1.Store(output + j + 8);
        }
    }
}
