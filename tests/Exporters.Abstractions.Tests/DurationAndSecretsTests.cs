namespace Exporters.Abstractions.Tests;

public class DurationAndSecretsTests
{
    [Theory]
    [InlineData("0", 0)]
    [InlineData("500ms", 0.5)]
    [InlineData("5s", 5)]
    [InlineData("1m30s", 90)]
    [InlineData("2h", 7200)]
    [InlineData("1d", 86400)]
    [InlineData("1w", 604800)]
    [InlineData("1.5s", 1.5)]
    [InlineData("00:00:10", 10)]
    public void Durations_parse_like_prometheus_writes_them(string text, double seconds)
    {
        Assert.Equal(TimeSpan.FromSeconds(seconds), Duration.Parse(text).Value);
    }

    [Theory]
    [InlineData("")]
    [InlineData("5")]
    [InlineData("5x")]
    [InlineData("-5s")]
    [InlineData("s")]
    public void Invalid_durations_say_how_to_write_one(string text)
    {
        var error = Assert.Throws<FormatException>(() => Duration.Parse(text));
        Assert.Contains("500ms, 5s, 1m30s", error.Message, StringComparison.Ordinal);
    }

    [Fact]
    public void Durations_print_as_they_parse()
    {
        Assert.Equal("1m30s", Duration.Parse("90s").ToString());
        Assert.Equal("1h", Duration.Parse("60m").ToString());
        Assert.Equal("500ms", Duration.Parse("0.5s").ToString());
        Assert.Equal("0s", default(Duration).ToString());
    }

    [Theory]
    [InlineData("redis://:hunter2@db:6379", "redis://db:6379")]
    [InlineData("redis://user:p%40ss@db:6379/0", "redis://db:6379/0")]
    [InlineData("http://user:pw@es:9200/path?q=1", "http://es:9200/path?q=1")]
    [InlineData("db:6379", "db:6379")]
    [InlineData("user:pw@db:6379", "db:6379")]
    [InlineData("unix:///run/redis.sock", "unix:///run/redis.sock")]
    [InlineData("http://es:9200/a@b", "http://es:9200/a@b")]
    [InlineData(null, "")]
    public void Credentials_are_removed_from_targets(string? target, string expected)
    {
        Assert.Equal(expected, Secrets.RedactTarget(target));
    }

    [Fact]
    public void Secrets_come_from_the_value_or_the_file_without_its_line_break()
    {
        var file = Path.GetTempFileName();
        File.WriteAllText(file, "from-file\n");
        Assert.Equal("inline", Secrets.Resolve("inline", file));
        Assert.Equal("from-file", Secrets.Resolve(null, file));
        Assert.Null(Secrets.Resolve(null, null));
        var error = Assert.Throws<IOException>(() => Secrets.Resolve(null, "/nonexistent/secret"));
        Assert.Contains("/nonexistent/secret", error.Message, StringComparison.Ordinal);
    }
}
