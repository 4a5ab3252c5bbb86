using System.Buffers.Binary;

namespace MailboxImportExport.Fts;

/// <summary>
/// Changes top-level properties of an item export and leaves every other byte as it was: a value of the same size is
/// overwritten in place; a value of another size replaces its element; a property the item lacks is added at the end
/// of the item's own property list. The envelope's header records and TransferBuffer boundaries stay; only a record
/// that holds a change of size changes its length. (The service documents exports as opaque: in-place edits of
/// fixed-size values are the ones shown publicly to be accepted, so callers should prefer those.)
/// </summary>
public static class FtsPatch
{
    /// <summary>
    /// Reads the export twice through <paramref name="openSource"/> (once to find the properties, once to copy) and
    /// writes the patched export to <paramref name="output"/>. Named properties cannot be patched.
    /// </summary>
    /// <returns>How each property was applied, in the order given.</returns>
    /// <exception cref="FtsFormatException">The source is not a readable item export.</exception>
    public static IReadOnlyList<FtsPatchKind> Apply(Func<Stream> openSource, Stream output, IReadOnlyList<FtsProperty> properties)
    {
        if (openSource is null) throw new ArgumentNullException(nameof(openSource));
        if (output is null) throw new ArgumentNullException(nameof(output));
        if (properties is null) throw new ArgumentNullException(nameof(properties));
        if (properties.Any(p => p.Named is not null || p.PropertyId >= FtsPropertyId.FirstNamed))
            throw new ArgumentException("Named properties cannot be patched.", nameof(properties));

        List<Edit> edits;
        List<FtsPatchKind> kinds;
        using (var source = openSource()) (edits, kinds) = PlanEdits(source, properties);
        using (var source = openSource()) Copy(source, output, edits);
        return kinds;
    }

    /// <summary>Where each property goes, in FTS offsets: over its current element, or inserted where the property list ends.</summary>
    private static (List<Edit>, List<FtsPatchKind>) PlanEdits(Stream source, IReadOnlyList<FtsProperty> properties)
    {
        var payload = FtsPayloadStream.Open(source);
        if (!payload.Header.IsMessageExport) throw new FtsFormatException("Not an item export: the envelope does not describe an IMessage copy", 0);
        var tokenizer = new FtsTokenizer(payload);
        var found = new Dictionary<ushort, (long Start, long End, uint Tag)>();
        long? endOfPropertyList = null;
        while (tokenizer.Read() is { } element)
        {
            if (element.Kind == FtsElementKind.Marker || element.Tag == FtsMarker.MetaTagFxDelProp)
            {
                // The item's own properties end at its first recipient, attachment or collection marker.
                endOfPropertyList = element.Offset;
                break;
            }
            if (element.Kind == FtsElementKind.Property && element.Named is null && !found.ContainsKey(element.PropertyId))
                found[element.PropertyId] = (element.Offset, tokenizer.Position, element.Tag);
        }
        var insertAt = endOfPropertyList ?? tokenizer.Position;

        var edits = new List<Edit>();
        var kinds = new List<FtsPatchKind>();
        foreach (var property in properties)
        {
            var element = Encode(property);
            if (found.TryGetValue(property.PropertyId, out var current))
            {
                var valueStart = current.Start + 4;
                if (current.Tag == property.Tag && current.End - valueStart == property.WireValue.Length)
                {
                    edits.Add(new Edit(valueStart, current.End, property.WireValue));
                    kinds.Add(FtsPatchKind.InPlace);
                }
                else
                {
                    edits.Add(new Edit(current.Start, current.End, element));
                    kinds.Add(FtsPatchKind.Replaced);
                }
            }
            else
            {
                edits.Add(new Edit(insertAt, insertAt, element));
                kinds.Add(FtsPatchKind.Inserted);
            }
        }
        edits.Sort((a, b) => a.Start != b.Start ? a.Start.CompareTo(b.Start) : a.End.CompareTo(b.End));
        for (var i = 1; i < edits.Count; i++)
            if (edits[i].Start < edits[i - 1].End) throw new ArgumentException("A property is given twice.", nameof(properties));
        return (edits, kinds);
    }

    private static byte[] Encode(FtsProperty property)
    {
        var bytes = new byte[4 + property.WireValue.Length];
        BinaryPrimitives.WriteUInt32LittleEndian(bytes, property.Tag);
        property.WireValue.CopyTo(bytes, 4);
        return bytes;
    }

    /// <summary>Copies the envelope record by record, applying the edits to the TransferBuffer payloads they fall in.</summary>
    private static void Copy(Stream source, Stream output, List<Edit> edits)
    {
        var header = new byte[FtsEnvelope.RecordHeaderSize];
        long ftsOffset = 0;
        var next = 0; // the first edit not yet fully applied
        var lastTransferBuffer = -1L;
        var records = new List<(FtsOpcode Opcode, byte[] Payload)>();
        while (source.ReadUpTo(header, 0, header.Length) == header.Length)
        {
            var opcode = (FtsOpcode)BinaryPrimitives.ReadUInt32LittleEndian(header);
            var payload = new byte[BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(4))];
            if (source.ReadUpTo(payload, 0, payload.Length) != payload.Length) throw new FtsFormatException("Envelope truncated inside a record", ftsOffset);
            records.Add((opcode, payload));
            if (opcode == FtsOpcode.TransferBuffer) lastTransferBuffer = records.Count - 1;
        }
        for (var index = 0; index < records.Count; index++)
        {
            var (opcode, payload) = records[index];
            if (opcode != FtsOpcode.TransferBuffer)
            {
                FtsEnvelope.WriteRecord(output, opcode, payload, 0, payload.Length);
                continue;
            }
            var start = ftsOffset;
            var end = start + payload.Length;
            var patched = new MemoryStream();
            var position = start;
            while (position < end || (index == lastTransferBuffer && next < edits.Count))
            {
                var edit = next < edits.Count ? edits[next] : null;
                if (edit is not null && edit.Start <= position && !edit.Emitted)
                {
                    patched.Write(edit.Bytes, 0, edit.Bytes.Length);
                    edit.Emitted = true;
                }
                if (edit is not null && edit.Emitted && edit.End <= position)
                {
                    next++;
                    continue;
                }
                if (position >= end) break;
                // Copy up to the next edit's start, or skip the bytes an emitted edit replaced.
                var until = edit is null ? end : Math.Min(end, edit.Emitted ? edit.End : edit.Start);
                if (edit is null || !edit.Emitted) patched.Write(payload, (int)(position - start), (int)(until - position));
                position = until;
            }
            ftsOffset = end;
            // An empty TransferBuffer is refused on upload; its bytes went into an earlier record.
            if (patched.Length > 0) FtsEnvelope.WriteRecord(output, opcode, patched.GetBuffer(), 0, (int)patched.Length);
        }
        if (next < edits.Count) throw new FtsFormatException("The stream ended before every change could be applied", ftsOffset);
    }

    private sealed class Edit(long start, long end, byte[] bytes)
    {
        public long Start { get; } = start;
        public long End { get; } = end;
        public byte[] Bytes { get; } = bytes;
        public bool Emitted { get; set; }
    }
}

/// <summary>How <see cref="FtsPatch.Apply"/> applied one property.</summary>
public enum FtsPatchKind
{
    /// <summary>Same tag and size: the value bytes were overwritten; nothing else moved.</summary>
    InPlace,
    /// <summary>The element was replaced by one of another type or size.</summary>
    Replaced,
    /// <summary>The item lacked the property: it was added at the end of the item's property list.</summary>
    Inserted,
}
