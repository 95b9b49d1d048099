using Exporters.Elasticsearch;
using EsProbe;

// The collector's way: the body read as a stream, one index entry at a time.
using var http = new HttpClient();
return await Probe.RunAsync(args, async (uri, target) =>
{
    using var response = await http.GetAsync(new Uri(uri, target == "_all" ? "/_stats" : $"/{target}/_stats"), HttpCompletionOption.ResponseHeadersRead);
    response.EnsureSuccessStatusCode();
    await using var body = await response.Content.ReadAsStreamAsync();
    int indices = 0;
    long docs = 0;
    await JsonEntryStream.ReadAsync(body, "indices", (_, entry) =>
    {
        indices++;
        if (entry.TryGetProperty("primaries", out var primaries) && primaries.TryGetProperty("docs", out var d) && d.TryGetProperty("count", out var count))
        {
            docs += count.GetInt64();
        }
    }, null, 16 * 1024 * 1024, CancellationToken.None);
    return (indices, docs);
});
