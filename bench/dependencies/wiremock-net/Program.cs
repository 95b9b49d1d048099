using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Text;
using Exporters.Elasticsearch.Tests;
using Exporters.Testing;
using WireMock.RequestBuilders;
using WireMock.ResponseBuilders;
using WireMock.Server;
using WireMock.Settings;

namespace WireMockProbe;

/// <summary>
/// What WireMock.Net's fault types put on the wire, read with a raw socket, next to the project's ScriptedHttpServer;
/// and a large body served from a file by WireMock.Net and by the project's EsFixtureServer (memory read by ./run).
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: probe faults
               probe serve wiremock|fixture-server FILE    serves FILE at /big until stdin closes
        """;

    public static async Task<int> Main(string[] args)
    {
        if (args is ["faults"])
        {
            await FaultsAsync();
            return 0;
        }

        if (args is ["serve", var server, var file])
        {
            await ServeAsync(server, file);
            return 0;
        }

        await Console.Error.WriteLineAsync(Usage);
        return 2;
    }

    private static async Task FaultsAsync()
    {
        var body = new string('x', 10_000);
        using var wiremock = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"] });
        wiremock.Given(Request.Create().WithPath("/ok").UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody(body));
        var faults = Enum.GetValues<FaultType>().Where(f => f != FaultType.NONE).ToArray();
        Console.WriteLine($"fault_types={string.Join(',', Enum.GetNames<FaultType>())}");
        foreach (var fault in faults)
        {
            wiremock.Given(Request.Create().WithPath("/" + fault).UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBody(body).WithFault(fault));
        }

        var port = wiremock.Ports[0];
        Console.WriteLine($"wiremock ok: {await ClassifyAsync(port, "/ok", body.Length)}");
        foreach (var fault in faults)
        {
            Console.WriteLine($"wiremock {fault}: {await ClassifyAsync(port, "/" + fault, body.Length)}");
        }

        await using var scripted = new ScriptedHttpServer(line => line.Contains("/drop", StringComparison.Ordinal)
            ? new ScriptedResponse(200, body) { DropAfterBytes = 1000 }
            : line.Contains("/silent", StringComparison.Ordinal) ? new ScriptedResponse(200, body) { Silent = true }
            : new ScriptedResponse(200, body));
        Console.WriteLine($"ScriptedHttpServer ok: {await ClassifyAsync(scripted.Port, "/ok", body.Length)}");
        Console.WriteLine($"ScriptedHttpServer DropAfterBytes=1000: {await ClassifyAsync(scripted.Port, "/drop", body.Length)}");
        Console.WriteLine($"ScriptedHttpServer Silent: {await ClassifyAsync(scripted.Port, "/silent", body.Length)}");
    }

    /// <summary>Sends one GET and says what came back: status, framing, whether the body is whole, how it ended.</summary>
    private static async Task<string> ClassifyAsync(int port, string path, int expectedBody)
    {
        using var socket = new Socket(SocketType.Stream, ProtocolType.Tcp);
        await socket.ConnectAsync(new IPEndPoint(IPAddress.Loopback, port));
        await socket.SendAsync(Encoding.ASCII.GetBytes($"GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"));
        using var received = new MemoryStream();
        var buffer = new byte[16 * 1024];
        string ending;
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(3));
        try
        {
            while (true)
            {
                var n = await socket.ReceiveAsync(buffer, SocketFlags.None, timeout.Token);
                if (n == 0)
                {
                    ending = "closed (FIN)";
                    break;
                }

                received.Write(buffer, 0, n);
            }
        }
        catch (SocketException e) when (e.SocketErrorCode == SocketError.ConnectionReset)
        {
            ending = "reset (RST)";
        }
        catch (OperationCanceledException)
        {
            ending = "nothing more for 3 s";
        }

        var bytes = received.ToArray();
        var headEnd = bytes.AsSpan().IndexOf("\r\n\r\n"u8);
        if (headEnd < 0)
        {
            return $"{bytes.Length} bytes, no HTTP head; {ending}";
        }

        var head = Encoding.ASCII.GetString(bytes, 0, headEnd);
        var status = head.Split("\r\n")[0];
        var headers = head.Split("\r\n").Skip(1).Select(h => h.Split(':', 2)).Where(p => p.Length == 2).ToDictionary(p => p[0].Trim(), p => p[1].Trim(), StringComparer.OrdinalIgnoreCase);
        var payload = bytes.AsSpan(headEnd + 4);
        string framing;
        if (headers.TryGetValue("Transfer-Encoding", out var te) && te.Contains("chunked", StringComparison.OrdinalIgnoreCase))
        {
            framing = "chunked, " + Chunks(payload, expectedBody);
        }
        else if (headers.TryGetValue("Content-Length", out var length))
        {
            var declared = long.Parse(length, CultureInfo.InvariantCulture);
            framing = $"Content-Length {declared}, {payload.Length} body bytes{(payload.Length < declared ? " (truncated)" : string.Empty)}";
        }
        else
        {
            framing = $"no length, {payload.Length} body bytes";
        }

        var preview = payload.Length is > 0 and < 400 ? $"; body on the wire: \"{Escape(payload)}\"" : string.Empty;
        return $"'{status}', {framing}; {ending}{preview}";
    }

    private static string Escape(ReadOnlySpan<byte> bytes)
    {
        var text = new StringBuilder();
        foreach (var b in bytes[..Math.Min(bytes.Length, 160)])
        {
            text.Append(b switch
            {
                (byte)'\r' => "\\r",
                (byte)'\n' => "\\n",
                >= 32 and < 127 => ((char)b).ToString(),
                _ => $"\\x{b:x2}",
            });
        }

        return bytes.Length > 160 ? text.Append("...").ToString() : text.ToString();
    }

    /// <summary>Walks chunked framing: well-formed and complete (ends with the zero chunk), or where it breaks.</summary>
    private static string Chunks(ReadOnlySpan<byte> data, int expectedBody)
    {
        var total = 0;
        var chunks = 0;
        while (true)
        {
            var line = data.IndexOf("\r\n"u8);
            if (line < 0)
            {
                return $"{chunks} chunks ({total} bytes), then cut inside a chunk-size line";
            }

            if (!int.TryParse(Encoding.ASCII.GetString(data[..line]).Split(';')[0], NumberStyles.HexNumber, CultureInfo.InvariantCulture, out var size))
            {
                return $"{chunks} chunks ({total} bytes), then a malformed chunk-size line";
            }

            data = data[(line + 2)..];
            if (size == 0)
            {
                return $"well-formed, {chunks} chunks, {total} body bytes{(total == expectedBody ? " (whole body)" : $" (expected {expectedBody})")}, zero chunk present";
            }

            if (data.Length < size + 2)
            {
                return $"{chunks} chunks ({total} bytes), then cut inside a chunk";
            }

            if (!data.Slice(size, 2).SequenceEqual("\r\n"u8))
            {
                return $"{chunks} chunks ({total} bytes), then a chunk not ended by CRLF";
            }

            total += size;
            chunks++;
            data = data[(size + 2)..];
        }
    }

    private static async Task ServeAsync(string server, string file)
    {
        if (server == "wiremock")
        {
            using var wiremock = WireMockServer.Start(new WireMockServerSettings { Urls = ["http://127.0.0.1:0"] });
            wiremock.Given(Request.Create().WithPath("/big").UsingGet()).RespondWith(Response.Create().WithStatusCode(200).WithBodyFromFile(file, cache: false));
            await HoldAsync(wiremock.Ports[0]);
        }
        else
        {
            await using var fixture = await EsFixtureServer.StartAsync("es7", fixtureDirectory: Path.GetDirectoryName(file), files: new Dictionary<string, string> { ["/big"] = file });
            await HoldAsync(fixture.Port);
        }
    }

    private static async Task HoldAsync(int port)
    {
        Console.WriteLine($"port={port}");
        Console.WriteLine("serving=1");
        await Console.Out.FlushAsync();
        await Console.In.ReadToEndAsync();
    }
}
