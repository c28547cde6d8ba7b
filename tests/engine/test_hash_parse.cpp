// test_hash_parse.cpp — the web app's URL-hash parser (web/hash_parse.cpp, in the library
// lenet_app_logic): deep links apply, bad parts are skipped with a notice and never throw, and
// format_hash is canonical; printable() (web/printable.cpp), which the notices and the app's command
// errors echo untrusted text through.
#include "hash_parse.h"
#include "printable.h"

#include <doctest/doctest.h>

using lenet_web::format_hash;
using lenet_web::HashState;
using lenet_web::parse_hash;

namespace {
bool notice_has(const HashState& s, const std::string& frag) {
    for (const std::string& n : s.notices)
        if (n.find(frag) != std::string::npos) return true;
    return false;
}
}  // namespace

TEST_SUITE("hash") {

TEST_CASE("hash: a full deep link applies every field") {
    HashState s = parse_hash("#arch=lenet5-1998&data=fashion&input=test&sample=123&layer=C3&unit=2,4,5&view=pre");
    CHECK(s.notices.empty());
    CHECK(s.has_arch);
    CHECK(s.arch == "lenet5-1998");
    CHECK(s.data == "fashion");
    CHECK(s.input == "test");
    CHECK(s.sample == 123);
    CHECK(s.layer == "C3");
    CHECK(s.layer_index == -1);
    CHECK(s.unit_map == 2);
    CHECK(s.unit_y == 4);
    CHECK(s.unit_x == 5);
    CHECK(s.pre);
    CHECK(format_hash(s) == "#arch=lenet5-1998&data=fashion&input=test&sample=123&layer=C3&unit=2,4,5&view=pre");
}

TEST_CASE("hash: empty, no '#', layer by index, single-number unit, percent escapes") {
    CHECK(parse_hash("").notices.empty());
    CHECK(format_hash(parse_hash("")) == "");
    CHECK(format_hash(parse_hash("#")) == "");
    HashState s = parse_hash("layer=4&unit=7&arch=%6Cenet5");
    CHECK(s.notices.empty());
    CHECK(s.layer_index == 4);
    CHECK(s.layer.empty());
    CHECK(s.unit_map == 7);
    CHECK(s.unit_y == -1);
    CHECK(s.arch == "lenet5");
    CHECK(format_hash(s) == "#arch=lenet5&layer=4&unit=7");
}

TEST_CASE("hash: back= names a training step (LOSS, UPDATE, a layer's backward step)") {
    HashState s = parse_hash("#sample=3&back=C3&unit=1,2,3");
    CHECK(s.notices.empty());
    CHECK(s.has_back);
    CHECK(s.back == "C3");
    CHECK_FALSE(s.has_layer);
    CHECK(format_hash(s) == "#sample=3&unit=1,2,3&back=C3");
    CHECK(parse_hash("back=LOSS").back == "LOSS");
    HashState bad = parse_hash("#back=C3'&layer=C1");
    CHECK_FALSE(bad.has_back);  // the apostrophe is not a name character: the strip's C3' is back=C3
    CHECK(bad.has_layer);
    REQUIRE(bad.notices.size() == 1);
    CHECK(bad.notices[0].find("back") != std::string::npos);
}

TEST_CASE("hash: lab= carries the Lab's transform, seed and sweep, and writes them back") {
    HashState s = parse_hash("#sample=0&lab=rotate:20,dx:3,scale:0.85,noise:0.1,seed:7,sweep:scale&layer=C1");
    CHECK(s.notices.empty());
    CHECK(s.has_lab);
    CHECK(s.lab_set[0]);
    CHECK(s.lab_value[0] == 3.0f);        // dx
    CHECK_FALSE(s.lab_set[1]);            // dy: the identity's
    CHECK(s.lab_value[2] == 0.85f);       // scale
    CHECK(s.lab_value[3] == 20.0f);       // rotate
    CHECK(s.lab_value[6] == 0.1f);        // noise
    CHECK(s.has_lab_seed);
    CHECK(s.lab_seed == 7);
    CHECK(s.lab_sweep == 2);
    CHECK(s.has_layer);
    // Canonical: the kLabKeyNames order, then seed, then sweep; shortest decimals.
    CHECK(format_hash(s) == "#sample=0&layer=C1&lab=dx:3,scale:0.85,rotate:20,noise:0.1,seed:7,sweep:scale");
    CHECK(format_hash(parse_hash("#lab=rotate:-020.50,dy:-0")) == "#lab=dy:0,rotate:-20.5");
    CHECK(parse_hash("#lab=seed:18446744073709551615").lab_seed == 18446744073709551615ull);
    // lab= alone (or only commas) opens the Lab untransformed.
    HashState open = parse_hash("#lab=&sample=4");
    CHECK(open.notices.empty());
    CHECK(open.has_lab);
    CHECK(format_hash(open) == "#sample=4&lab=");
    CHECK(format_hash(parse_hash("#lab=,,")) == "#lab=");
    // Percent escapes are decoded before the parts are split.
    CHECK(parse_hash("#lab=rotate%3A20").lab_value[3] == 20.0f);
}

TEST_CASE("hash: a float the app holds is written so that it reads back bit for bit") {
    const float values[] = {0.1f, -12.3456789f, 44.99999f, 1.0f / 3.0f, 0.6f, 1.4f, 3e-9f, -45.0f, 0.0f};
    for (float v : values) {
        CAPTURE(v);
        HashState s;
        s.has_lab = true;
        s.lab_set[3] = true;
        s.lab_value[3] = v;
        const std::string f = format_hash(s);
        HashState t = parse_hash(f);
        CHECK(t.notices.empty());
        REQUIRE(t.lab_set[3]);
        if (v >= 1e-9f) CHECK(t.lab_value[3] == v);
        CHECK(format_hash(t) == f);
    }
    HashState tiny;  // below what 9 decimals can write: the nearest that they can, stable from then on
    tiny.has_lab = true;
    tiny.lab_set[0] = true;
    tiny.lab_value[0] = -1e-12f;
    CHECK(format_hash(tiny) == "#lab=dx:0");
}

TEST_CASE("hash: bad lab= parts are skipped one by one, naming the part; the rest applies") {
    struct Case { const char* lab; const char* notice; };
    const Case cases[] = {
        {"rot:20", "'rot:20' in lab= (unknown name"},
        {"rotate:abc", "'rotate:abc' in lab= (expected a number"},
        {"rotate:NaN", "'rotate:NaN'"},
        {"rotate:nan", "'rotate:nan'"},
        {"rotate:inf", "'rotate:inf'"},
        {"rotate:1e3", "'rotate:1e3'"},
        {"rotate:+20", "'rotate:+20'"},
        {"rotate:20.", "'rotate:20.'"},
        {"rotate:.5", "'rotate:.5'"},
        {"rotate:1234567", "'rotate:1234567'"},
        {"rotate:0.1234567891", "'rotate:0.1234567891'"},
        {"rotate:", "'rotate:' in lab="},
        {"rotate", "expected name:value"},
        {"seed:-1", "'seed:-1' in lab= (expected a seed"},
        {"seed:18446744073709551616", "expected a seed"},
        {"sweep:zoom", "'sweep:zoom' in lab= (expected sweep:"},
        {"sweep:seed", "expected sweep:"},
        {"rotate:5,rotate:6", "second 'rotate' in lab="},
        {"%00:1", "'\\x00:1' in lab="},
    };
    for (const Case& c : cases) {
        CAPTURE(c.lab);
        HashState s = parse_hash(std::string("#lab=dx:2,") + c.lab + ",dy:-1&layer=F6");
        CHECK(notice_has(s, c.notice));
        CHECK(s.has_lab);
        CHECK(s.lab_set[0]);  // the good parts still apply
        CHECK(s.lab_value[0] == 2.0f);
        CHECK(s.lab_value[1] == -1.0f);
        CHECK(s.layer == "F6");
        CHECK(format_hash(s).find("lab=dx:2,dy:-1") != std::string::npos);
    }
    HashState dup = parse_hash("#lab=rotate:5,rotate:6");
    CHECK(dup.lab_value[3] == 5.0f);  // the first one is used
    HashState twice = parse_hash("#lab=rotate:5&lab=dx:1");
    CHECK(notice_has(twice, "second 'lab'"));
    CHECK_FALSE(twice.lab_set[0]);
}

TEST_CASE("hash: every bad part is skipped with a notice, the rest still applies") {
    struct Case { const char* hash; const char* notice; };
    const Case cases[] = {
        {"#sample=-3", "sample"},
        {"#sample=10000000", "sample"},
        {"#sample=99999999999999999999", "sample"},
        {"#sample=12abc", "sample"},
        {"#sample=", "sample"},
        {"#arch=", "arch"},
        {"#arch=a%2Fb", "arch"},          // '/' is not a name character
        {"#arch=%00", "arch"},
        {"#arch=%zz", "valid %XX"},
        {"#arch=%4", "valid %XX"},
        {"#layer=256", "layer"},
        {"#layer=3abc", "layer"},
        {"#layer=C%203", "layer"},
        {"#unit=1,2", "unit"},
        {"#unit=1,2,3,4", "unit"},
        {"#unit=65536", "unit"},
        {"#unit=,,", "unit"},
        {"#data=cifar", "data"},
        {"#input=camera", "input"},
        {"#view=both", "view"},
        {"#bogus=1", "unknown setting 'bogus'"},
        {"#justakey", "expected key=value"},
        {"#sample=1&sample=2", "second 'sample'"},
    };
    for (const Case& c : cases) {
        CAPTURE(c.hash);
        const bool layer_case = std::string(c.hash).rfind("#layer", 0) == 0;
        HashState s = parse_hash(std::string(c.hash) + (layer_case ? "&data=fashion" : "&layer=F6"));
        CHECK(s.notices.size() >= 1);
        CHECK(notice_has(s, c.notice));
        if (layer_case) CHECK(s.data == "fashion");  // the good part still applies
        else CHECK(s.layer == "F6");
    }
    // The first of duplicates wins.
    CHECK(parse_hash("#sample=1&sample=2").sample == 1);
}

TEST_CASE("hash: hostile input is bounded: long hashes, many parts, binary bytes") {
    std::string huge = "#arch=" + std::string(100000, 'a');
    HashState s = parse_hash(huge);
    CHECK_FALSE(s.has_arch);
    CHECK(notice_has(s, "longer than 2048"));
    std::string many = "#";
    for (int i = 0; i < 500; i++) many += "x" + std::to_string(i) + "=1&";
    HashState m = parse_hash(many);
    CHECK(m.notices.size() <= 17);
    std::string bin;
    for (int i = 0; i < 256; i++) bin += char(i);
    HashState b = parse_hash(bin);
    for (const std::string& n : b.notices)
        for (char c : n) CHECK((static_cast<unsigned char>(c) >= 0x20 && static_cast<unsigned char>(c) < 0x7f));
}

TEST_CASE("hash: format_hash is canonical: parse(format(parse(x))) == parse(x)") {
    const char* inputs[] = {"#layer=OUTPUT&arch=lenet5&sample=0", "#unit=0,0,0&view=post&input=draw",
                            "sample=007&layer=00", "#arch=lenet5&arch=x&&&=&data=mnist"};
    for (const char* in : inputs) {
        CAPTURE(in);
        HashState a = parse_hash(in);
        std::string f = format_hash(a);
        HashState b = parse_hash(f);
        CHECK(b.notices.empty());
        CHECK(format_hash(b) == f);
        CHECK(b.sample == a.sample);
        CHECK(b.layer == a.layer);
        CHECK(b.layer_index == a.layer_index);
    }
    CHECK(format_hash(parse_hash("sample=007&layer=00")) == "#sample=7&layer=0");
}

}  // TEST_SUITE

TEST_CASE("printable: control and non-ASCII bytes as \\xNN, long text cut, nothing lost before a NUL") {
    using lenet_web::printable;
    CHECK(printable("lenet5-1998") == "lenet5-1998");
    CHECK(printable(std::string("abc\0def", 7)) == "abc\\x00def");
    CHECK(printable("a\tb\x7f\xc3\xa9") == "a\\x09b\\x7F\\xC3\\xA9");
    CHECK(printable(std::string(50, 'x')) == std::string(40, 'x') + "...");
    CHECK(lenet_web::has_control_chars(std::string("a\0", 2)));
    CHECK(lenet_web::has_control_chars("a\x7f"));
    CHECK_FALSE(lenet_web::has_control_chars("C3 \xc3\xa9"));
}
