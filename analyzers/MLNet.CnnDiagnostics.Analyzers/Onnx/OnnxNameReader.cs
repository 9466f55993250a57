using System;
using System.Collections.Generic;
using System.Text;

namespace MLNet.CnnDiagnostics.Analyzers.Onnx;

/// <summary>
/// Reads node and tensor names from ONNX bytes with a minimal protobuf wire-format walk (no protobuf library):
/// ModelProto.graph(7) → GraphProto.node(1) → NodeProto.input(1)/output(2)/name(3)/op_type(4); GraphProto.input(11)/output(12)/value_info(13) → name(1).
/// Op types are also collected from graphs nested in node attributes (If/Loop/Scan bodies), whose names are not layers.
/// Weights (initializers) are skipped by length without being read. Malformed input gives null, never an exception.
/// </summary>
public static class OnnxNameReader
{
    /// <summary>Most names kept; a graph with more is still read, the rest are ignored.</summary>
    public const int MaxNames = 200_000;

    private const int MaxNameBytes = 4096;
    private const int WireVarint = 0, WireFixed64 = 1, WireLength = 2, WireFixed32 = 5;

    /// <summary>The graph's names, or null when the bytes are not an ONNX model with a graph.</summary>
    public static OnnxGraphNames? TryRead(byte[] bytes)
    {
        try
        {
            var nodes = new List<string>();
            var tensors = new List<string>();
            var seen = new HashSet<string>(StringComparer.Ordinal);
            var opTypes = new HashSet<string>(StringComparer.Ordinal);
            bool foundGraph = false;
            int nodeCount = 0;
            var model = new Reader(bytes, 0, bytes.Length);
            while (model.Next(out int field, out int wire))
            {
                if (field == 7 && wire == WireLength)
                {
                    var (start, end) = model.ReadLength();
                    nodeCount += ReadGraph(new Reader(bytes, start, end), nodes, tensors, seen, opTypes, depth: 0);
                    foundGraph = true;
                }
                else
                {
                    model.Skip(wire);
                }
            }
            return foundGraph ? new OnnxGraphNames(nodeCount, nodes, tensors, opTypes) : null;
        }
        catch (FormatException)
        {
            return null;
        }
    }

    private const int MaxGraphDepth = 16;

    private static int ReadGraph(Reader graph, List<string> nodes, List<string> tensors, HashSet<string> seen, HashSet<string> opTypes, int depth)
    {
        int nodeCount = 0;
        while (graph.Next(out int field, out int wire))
        {
            if (wire != WireLength) { graph.Skip(wire); continue; }
            var (start, end) = graph.ReadLength();
            if (field == 1)
            {
                ReadNode(new Reader(graph.Bytes, start, end), nodes, tensors, seen, opTypes, depth);
                nodeCount++;
            }
            else if (field is 11 or 12 or 13 && depth == 0)
            {
                ReadValueInfoName(new Reader(graph.Bytes, start, end), tensors, seen);
            }
        }
        return nodeCount;
    }

    private static void ReadNode(Reader node, List<string> nodes, List<string> tensors, HashSet<string> seen, HashSet<string> opTypes, int depth)
    {
        while (node.Next(out int field, out int wire))
        {
            if (wire != WireLength) { node.Skip(wire); continue; }
            var (start, end) = node.ReadLength();
            if (field == 4 && end - start <= MaxNameBytes) opTypes.Add(Encoding.UTF8.GetString(node.Bytes, start, end - start));
            else if (field == 5) ReadAttributeGraphs(new Reader(node.Bytes, start, end), opTypes, depth);
            else if (depth > 0) continue; // names inside a nested graph are not layers of the model
            else if (field == 3) Add(node.Bytes, start, end, nodes, seen, unique: false);
            else if (field is 1 or 2) Add(node.Bytes, start, end, tensors, seen, unique: true);
        }
    }

    // AttributeProto.g(6) and graphs(11): the bodies of If/Loop/Scan, read for their op types only
    private static void ReadAttributeGraphs(Reader attribute, HashSet<string> opTypes, int depth)
    {
        if (depth >= MaxGraphDepth) return;
        var ignored = new List<string>();
        var ignoredSeen = new HashSet<string>(StringComparer.Ordinal);
        while (attribute.Next(out int field, out int wire))
        {
            if (wire != WireLength) { attribute.Skip(wire); continue; }
            var (start, end) = attribute.ReadLength();
            if (field is 6 or 11) ReadGraph(new Reader(attribute.Bytes, start, end), ignored, ignored, ignoredSeen, opTypes, depth + 1);
        }
    }

    private static void ReadValueInfoName(Reader valueInfo, List<string> tensors, HashSet<string> seen)
    {
        while (valueInfo.Next(out int field, out int wire))
        {
            if (wire != WireLength) { valueInfo.Skip(wire); continue; }
            var (start, end) = valueInfo.ReadLength();
            if (field == 1) Add(valueInfo.Bytes, start, end, tensors, seen, unique: true);
        }
    }

    private static void Add(byte[] bytes, int start, int end, List<string> names, HashSet<string> seen, bool unique)
    {
        if (end - start == 0 || end - start > MaxNameBytes || seen.Count >= MaxNames) return;
        string name = Encoding.UTF8.GetString(bytes, start, end - start);
        if (!unique) names.Add(name);
        else if (seen.Add(name)) names.Add(name);
    }

    /// <summary>A cursor over one protobuf message held in bytes[position..end).</summary>
    private struct Reader
    {
        private readonly int end;
        private int position;

        public Reader(byte[] bytes, int start, int end)
        {
            Bytes = bytes;
            position = start;
            this.end = end;
        }

        public byte[] Bytes { get; }

        public bool Next(out int field, out int wire)
        {
            field = wire = 0;
            if (position >= end) return false;
            ulong key = ReadVarint();
            field = (int)Math.Min(key >> 3, int.MaxValue);
            wire = (int)(key & 7);
            if (field == 0) throw new FormatException("field number 0");
            return true;
        }

        public (int Start, int End) ReadLength()
        {
            ulong length = ReadVarint();
            if (length > (ulong)(end - position)) throw new FormatException("length past the end of the message");
            int start = position;
            position += (int)length;
            return (start, position);
        }

        public void Skip(int wire)
        {
            switch (wire)
            {
                case WireVarint: ReadVarint(); break;
                case WireFixed64: Advance(8); break;
                case WireLength: ReadLength(); break;
                case WireFixed32: Advance(4); break;
                default: throw new FormatException("unsupported wire type " + wire);
            }
        }

        private void Advance(int count)
        {
            if (count > end - position) throw new FormatException("field past the end of the message");
            position += count;
        }

        private ulong ReadVarint()
        {
            ulong value = 0;
            for (int shift = 0; shift < 64; shift += 7)
            {
                if (position >= end) throw new FormatException("truncated varint");
                byte b = Bytes[position++];
                value |= (ulong)(b & 0x7F) << shift;
                if (b < 0x80) return value;
            }
            throw new FormatException("varint longer than 10 bytes");
        }
    }
}
