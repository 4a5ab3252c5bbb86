using System.Text;
using MailboxImportExport.Fts;
using MailboxImportExport.Fts.Conversion;

namespace MailboxImportExport.Fts.Tests;

public class CompressedRtfTests
{
    [Fact]
    public void The_specifications_example_decompresses()
    {
        // MS-OXRTFCP 3.1.1: "{\rtf1\ansi\ansicpg1252\pard hello world}" and CRLF, compressed.
        var compressed = Convert.FromHexString("2d0000002b0000004c5a4675f1c5c7a703000a007263706731323542320af3206865" + "6c090020627705b06c647d0a800fa0");

        Assert.Equal("{\\rtf1\\ansi\\ansicpg1252\\pard hello world}\r\n", Encoding.ASCII.GetString(CompressedRtf.Decompress(compressed)));
    }

    [Fact]
    public void An_msg_whose_body_is_only_compressed_RTF_from_MsgKit_gets_an_HTML_body()
    {
        const string rtf = "{\\rtf1\\ansi\\ansicpg1252\\deff0{\\fonttbl{\\f0 Arial;}}\\f0\\fs20 Quarterly {\\b numbers} attached.\\par}";
        var path = Path.Combine(Path.GetTempPath(), $"mie-rtf-{Guid.NewGuid():N}.msg");
        try
        {
            using (var email = new MsgKit.Email(new MsgKit.Sender("zoe@fabrikam.test", "Zoë"), "RTF only"))
            {
                email.Recipients.AddTo("bob@contoso.test", "Bob");
                email.BodyRtf = rtf;
                email.BodyRtfCompressed = true;
                email.Save(path);
            }
            FtsMessage message;
            using (var file = File.OpenRead(path)) message = MsgFile.Read(file);

            // MsgKit compressed it with its own compressor: the module's decompressor gives the RTF back.
            Assert.Equal(rtf, Encoding.ASCII.GetString(CompressedRtf.Decompress(message.GetBinary(FtsPropertyId.RtfCompressed)!)).TrimEnd('\0'));
            var html = MimeConversion.ToMime(message).HtmlBody;
            Assert.Contains("Quarterly", html);
            Assert.Contains("numbers", html);
        }
        finally
        {
            File.Delete(path);
        }
    }

    [Fact]
    public void Encapsulated_HTML_comes_back_as_the_HTML_it_was()
    {
        var rtf = "{\\rtf1\\ansi\\ansicpg1252\\fromhtml1 \\deff0{\\fonttbl{\\f0\\fswiss Arial;}}{\\*\\htmltag19 <html>}{\\*\\htmltag50 <body>}\\htmlrtf {\\htmlrtf0 Hello {\\*\\htmltag84 <b>}\\htmlrtf\\b\\htmlrtf0 bold{\\*\\htmltag92 </b>}\\htmlrtf\\b0\\htmlrtf0 {\\*\\htmltag58 </body>}{\\*\\htmltag27 </html>}}";
        var uncompressed = new byte[16 + rtf.Length];
        BitConverter.GetBytes(12 + rtf.Length).CopyTo(uncompressed, 0);
        BitConverter.GetBytes(rtf.Length).CopyTo(uncompressed, 4);
        Encoding.ASCII.GetBytes("MELA").CopyTo(uncompressed, 8);
        Encoding.ASCII.GetBytes(rtf).CopyTo(uncompressed, 16);

        Assert.Equal("<html><body>Hello <b>bold</b></body></html>", CompressedRtf.ToHtml(uncompressed));
    }
}
