using Exporters.Hosting.Security;
using Exporters.TestSupport;

namespace Exporters.Security.Tests;

/// <summary>basic_auth_users hashes: checked for form by the host, verified by BCrypt.Net-Next, against published vectors and htpasswd.</summary>
public class BcryptTests
{
    // Published vectors: the Openwall crypt_blowfish wrapper tests and the jBCrypt/passlib suite.
    public static TheoryData<string, string> PublishedVectors => new()
    {
        { "U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW" },
        { "U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK" },
        { "U*U*U", "$2a$05$XXXXXXXXXXXXXXXXXXXXXOAcXxm9kjPGEMsLznoKqmqw7tc8WCx4a" },
        { "", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy" },
        { "0123456789abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789chars after 72 are ignored", "$2a$05$abcdefghijklmnopqrstuu5s2v8.iXieOjg/.AySBTTZIIVFJeBui" },
        { "", "$2a$04$zVHmKQtGGQob.b/Nc7l9NO8UlrYcW05FiuCj/SxsFO/ZtiN9.mNzy" },
        { "", "$2a$06$DCq7YPn5Rq63x1Lad4cll.TV4S6ytwfsfvkgY8jIucDrjc8deX1s." },
        { "a", "$2a$06$m0CrhHm10qJ3lXRY.5zDGO3rS2KdeeWLuGmsfGlMfOxih58VYVfxe" },
        { "abc", "$2a$06$If6bvum7DFjUnE9p2uDeDu0YHzrHM6tf.iqN8.yx.jNN1ILEf7h0i" },
        { "abcdefghijklmnopqrstuvwxyz", "$2a$06$.rCVZVOThsIa97pEDOxvGuRRgzG64bvtJ0938xuqzv18d3ZpQhstC" },
        { "~!@#$%^&*()      ~!@#$%^&*()PNBFRD", "$2a$06$fPIsBO8qRqkjj273rfaOI.HtSV9jLDpTbZn782DC6/t7qT67P6FfO" },
    };

    [Theory]
    [MemberData(nameof(PublishedVectors))]
    public void Published_vectors_verify_and_a_changed_password_does_not(string password, string hash)
    {
        Assert.True(BcryptHashes.Verify(password, hash));
        Assert.False(BcryptHashes.Verify("x" + password, hash));
        Assert.Equal(hash, BCrypt.Net.BCrypt.HashPassword(password, hash[..29]));
    }

    [Fact]
    public async Task Hashes_made_by_htpasswd_verify()
    {
        foreach (var (password, cost) in new[] { ("s3cret-Ü-pässword", 5), (string.Empty, 4), ("correct horse battery staple", 6), (new string('x', 80), 4) })
        {
            await using var process = ExternalProcess.Start("htpasswd", ["-nbB", "-C", cost.ToString(System.Globalization.CultureInfo.InvariantCulture), "user", password]);
            Assert.True(await process.WaitForExitAsync(TimeSpan.FromSeconds(30)));
            await Task.Delay(50);
            var line = process.Output.Split('\n', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries).Single(l => l.StartsWith("user:", StringComparison.Ordinal));
            var hash = line["user:".Length..];
            Assert.StartsWith("$2y$", hash, StringComparison.Ordinal);
            Assert.True(BcryptHashes.Verify(password, hash), $"{password} against {hash}");
            Assert.False(BcryptHashes.Verify("!" + password, hash));
        }
    }

    [Fact]
    public void Own_hashes_round_trip_and_salts_differ()
    {
        var first = BcryptHashes.Hash("pw", 4);
        var second = BcryptHashes.Hash("pw", 4);
        Assert.NotEqual(first, second);
        Assert.True(BcryptHashes.Verify("pw", first));
        Assert.False(BcryptHashes.Verify("pW", first));
    }

    [Theory]
    [InlineData("")]
    [InlineData("plain")]
    [InlineData("$1$abc$def")]
    [InlineData("$2x$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")]
    [InlineData("$2a$03$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")]
    [InlineData("$2a$25$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW")]
    [InlineData("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOe!")]
    [InlineData("$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeWW")]
    public void Malformed_hashes_are_rejected_with_a_reason(string hash)
    {
        Assert.False(BcryptHashes.IsValidHash(hash, out var problem));
        Assert.NotEmpty(problem);
        Assert.False(BcryptHashes.Verify("U*U", hash));
    }
}
