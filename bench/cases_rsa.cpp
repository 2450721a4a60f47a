// RSA benchmark rows: rsa2048-verify, rsa4096-verify (PKCS#1 v1.5,
// SHA-256 digest), rsa2048-pss-sign and rsa4096-pss-sign (SHA-256, 32-byte
// salt, MGF1-SHA-256), one row per bignum kernel plus OpenSSL.
//
// Fairness: keys are parsed once in setup on both sides (tern PublicKey /
// PrivateKey; OpenSSL EVP_PKEY with an EVP_PKEY_CTX initialised for
// verify/sign with the padding and digest set). An operation is one
// verification or one signature over a precomputed digest. Both sides use
// the OS/DRBG randomness for salts and blinding. The keys are the fixed test
// keys of vectors/rsa/test_keys.txt (copied below).
#include <memory>
#include <string>
#include <vector>

#include "bench/cases.hpp"
#include "crypto/bignum/bignum.hpp"
#include "crypto/internal/random.hpp"
#include "crypto/rsa/rsa.hpp"

#if TERN_HAVE_OPENSSL
#include <openssl/evp.h>
#include <openssl/rsa.h>
#include <openssl/x509.h>
#endif

namespace {

using tern::bench::Case;

// vectors/rsa/test_keys.txt, PKCS#1 RSAPrivateKey DER (test keys only).
const char* const kKey2048 =
    "308204a30201000282010100cb3c8d27e3cf1991ef40e09d78755d1b169d67fb1e6a8660c36d492f217768b891c642cd"
    "8b7f36580e4a2f07ea5e92d6fdcd099b2013da44d6dc3e3f1bdccaa43ef285e65b45f1b1b8c292eaf8367230b978a430"
    "7a44176693f4d2eaca4d289e0b77054eebcfd87146e365249741b61c2de2ae5d1d044d3dd8f18af1db42ce0a0f85195d"
    "d132f5d7ccb4a8aae3de6ff909ad5d1de885ae4b439d3fe075857c8ec4d3578cd8bfeb4e0ddfc96904b3ea21f7200a1e"
    "e9a90afd92a73e995e1d0af5d8cedb52315ebb39db430a4e996bb2540665faf8ca7d099b4decb802ee68b424f067bdd9"
    "c47ef849a02309a395a622250a3b1c7f7c308653a8c95b72248d4e370203010001028201004801e8315df19ea9aa0f5e"
    "85ec8c08b4f44a48f11c51b9d2c6eb0da6f9408985fb803763042dca5f6090c02119d4f049e41aa570a4e8e3c8c827b8"
    "963b94fae73eb646e2db2be8fa82efcd861af38f79dbfcf68f86826198228bf7bee0767e11a116467733edac4e564373"
    "2e87b8ec810770ed3e686d81c08c00e8add075d6f1eff35a00768aafc4cf399037b5406f867e7d5ec1753a92c99016f1"
    "40e24056bc7000d881651a3392f6e79045c2f5294a800ccddea82688d31b86cc8f6bf4a1ec48556409178b2ea562cc10"
    "9182726d10d4a17bf4fd83ce488a39c4b529628c4d9afa6e00825806223bf3b571729d03220a13eeb800e8b24afdea62"
    "944378504102818100e485b172cf3696d9d4d98e7b0e2f61370b17b55f4c394864c8a5caacae228b7ece31bcdf44982c"
    "8371f02e1fec0f35c6ebee0bd9da8c6e86cb04612fcaf1223457a686208d7b4eec73d19d92d39f039c756d02624e6b08"
    "9f883dd262b2d7a6269ca4a04b365bc01f369aace2507edc28432a841f85da6d5289f4cf66b12e309902818100e3ac85"
    "4a63cf0e1303d32ba2eb55d5bf97428eaa25fa5f3d5e9ad54c427ffe1b7cc4e0e78d699438e02cbcf698040bb8a72f31"
    "9ba6240da67df7e37944ce2d19c48615cb8269dc0b9751cfe5971933829566af66173fc82287c91aa553406097460bf5"
    "2c4bfb590a1062a43a6976f15376f528024c52cc89df3916e2db2d274f0281801241ec2f7406b47eaad6c6df65febb11"
    "9ebd422c5ef6a4a608b1d6437d961cf7009a50b0b5d642982dde36912e56f8c0efd090f9d2d02d746f7be617df6aec84"
    "aa0c0fe341ea7c1fc0111b39c3d68c7f4f926a0258a98c82d26bbe074caa9607b7b41f6a62e969ac14bcbedb45fb1cb3"
    "cac9f6cc5df15992a29b0086ffd8e4e10281801b4aa2efb7e72a18bd6ca2de74b765580219c8603d0d363d7509ba67d9"
    "d0ddf50d8fcc25f59da256ef086dde617a9aad17dd6064f8157a4d6aec3c285d4719c0ecfde5beef73211d82961c05b9"
    "871bd59b7323b369360c17978f53d25d9869fbb839d6b9e8a1c89a9c3c36d389b0e85cc8f5ba460c4020a4a64d81a0d0"
    "0529a1028181008be50b0daab3b4faa5a3a99e9061ba85d0d4e3ef2306550ab23ce8d4e525d31e2b2cb2a057d87461e0"
    "df34312e40f70942f5a66baa2357f7189543e849eeecfd4313e414fdf969e51f2dcdcb0705ca23f3ac346a8df6874064"
    "14fe294c0e32235e59a224421c4f9b420f68a907a35b07bf45a896c5de253f08807bad6857cbbd";
const char* const kKey4096 =
    "308209290201000282020100e143c0dc351cebc71a3089861fd5193fa75fdc9e23b7e95862fb2d1a1773382728ee9b4a"
    "5855eae100e433aad3fc3e6e48933ccecf4c560f41c9e27912ad418d73b9889a8a1cd451826005c4bbf1c958017a804d"
    "d09ad6a99ecfaf4a659675143b21cd0c33bf6d9194cce2c7649f71c153f736469ec20a245ed158131aa0b3cf3ca027bc"
    "4296232161218203f23b72fdd735978c7cb6c000c208c6e317e61e90126cf79418d89bd47c166d1b391210b793b72bd6"
    "ba703239b7c00a40b8d68147884c90a16876217e06793d58cd732e8cca82cea9d1e01d2e501a52814d9d47c9a4996629"
    "cac89e411f1dac5dc927b8e0704af8a1ad91c330c09416c58eec779dcb7614585aa8b7d74e932d569e99e53af1da964d"
    "410018a9f59e9c0723b754e50daa60fec7360fb181723becc0764def02b64f32e0c3dc19729241658a64e274fc40c754"
    "912fb4cc7bfa7cb1f407d044d1da84b856d112298f51bf7fcf0b9edde97af84c68b1640611472d398ab42726825d408c"
    "66f2b257a54e5b64909d7a62cb9e74256ac86e123b23074b1f5573a8e794327cb834666858bd52393c16933bd26d785c"
    "6e864307b8be375aee3b4f815a1795e3258ecf593a2a8cb4a1a7f52d19d9da8e081a574cacc64f494ab52dfc4c588b41"
    "08296e81c50a5624bda8061e2dc267f2a0bb9db65c47033a1bdb43dd301f456e9cf266fe0a89bb489aa2df7502030100"
    "01028202000bdd111da7d06f9c6b452e20f9b133e4b5d067228ef8031a8c0ff5669fe08a0f09e953155dc49c9b9ffbe4"
    "bab4f25e69597a23a432a7af0a9ba8e1bc059f494a0553ba9d84f392bcfe3447697e8a73d3a63448e890396f5fbc84ec"
    "92eaf9bb0dc735770293011c68a3e10c7a7ad2a8df8928065c3ec5325a8b01d475211c608be401fd45bd6e01c8a2c06c"
    "83ffb060d47c8e8e7e301d41cc686ba4e9d5dae1362e3a3de9b74b451db2314e2ab65d3cb3265ce9baa3d3ffd92953bc"
    "567f4590c66f27b520430ba1a4ecfb5a9f4026b64764ecf1ac60e8c030adb84d2b1126dcde82442fecb888cb48dbb628"
    "db419a4d72c8873243f58bad2f769cf5fc0e9466923812043f259e76d444765fc9dad780d98e221f1fc80836d717b430"
    "e9e5e8f39ad5b64a4026c90bd33db3538d3f743fb645281b345ab1e26daeb00ff5a2b2a4b8a973691ae40d76f14a64cc"
    "ae366ee9222b171cd5d81eb4bc5bdea9441f2c159066bbaa87fc817063802373551e06a6c359611202afed9a661a8deb"
    "a7be41b2057098929ce64fbb776491bfebbc9badd562f541aa877a104d146f74fdbe1c06962a51c0d85549acf72cfd0b"
    "08674ee65746814bb5c4a683626cdee887112cf790f563603ee9cc2b3b2517a065b22927b802d8ae20d4e7e28e17b43f"
    "73df75c7014d09e5f2c5d819e7750dce0b787191bd271a6fc3e5614f4dd6d1a66a6a2bdbeb0282010100f9cfc5257408"
    "b2402d939c22804b58295e300f5db03cb423151bb45317393d39984d580ee7681d2c8f0895cbf3d13f40036634783bac"
    "a7e0c3110bfb498960b6e25b33374ce0ff813e9d54ab5398da4c6b97437f0796a6559e04cc8106bf5cef9021ff6298d2"
    "50e52d4b97d34adcfe07d0da0a89bb5c26c5e52373a71367ee4f6fbeb7d34c383382aed25309fcd3302ed3f7a89d7ea5"
    "a89cd1287799fff6074d3e0f42253ad67d3848731f0dabf8e4db7bac4a2ffadaefae5a177d82b5efa6a5d42717ef1ad9"
    "e293fc87065c12e5076ee65ebe1a950138846a893a6ff99982c4c80ceb03578f7aedbc96f2fa43bc677b7aac963d17af"
    "44fb4262aa231a0d7ea30282010100e6d8505f9941c13993fd4950b395f69273179370d55597ae8e1633045a03144f93"
    "18b9fc9782b169cc6eac8054ac89494831da639375184a8d54bb803bb80f29d23e18db80baec6bbd143db84b46c160a1"
    "35217b661b2b41ee091c2d11c924b579a4d44c7e4a0961284c2c127271278ff102330645a7f37792670ac60ff5d9dedf"
    "dc15f5436a9a873d042925fc772dece881f9ec31b0487248e78f4972f4d8763ea1fdd6eb25a5ed8e2afa3ac3d9a3b591"
    "3d41c19a74f972439fb1c7658aeef70d01d0f38d614fb95e7db3436fe5ab44b4ce1463e5cf0f88a9f3f329b3cd5b540d"
    "c3cdce1c1f8229addf3a8b17591bbe788c18f923dc6491672360cd0c1d83070282010100ccd149fda43e410f978eaff4"
    "25a620b9822cfb5c4053f509d293ad6c76dd0a52bf89a28a4db6b23cc7652d9453ea9ae63c233f1fd9257d5b2df43b13"
    "a3be4c1a864a6a1a8c20e9bc28ff4bdd50a4414f68e35386c24d0541ab5699e9ac03980a1eed90fb60fb07326fc9cbc8"
    "8457debbbfc415e1c9490bcd334ab6d724751111f637b3763dc6d28cf21325dc497b49c50b2bc206a740e196f9722965"
    "8d5445b6520ca699e9bcd45c2222a932476ec10d2740226f6648bd3d0146c33439412d2c475e6a2433aab337cc5354a6"
    "87235acdd579967a2af31e488b24ca51e69eb375ede3918862f113c3f9dcf588b5a2b261ae39f4d0502bf6eddf071021"
    "c98988eb028201003eab7b2678f4e10040ad02ba6606d069f1d4f4b22d388f75541db2bbfbb3da4fc01f765e9cc35e66"
    "da99313ba5c1318433955534b35396c4a699da4d75e90234d85f036094122b1d14b7ea099e661719a4aa47ecb84ba7f2"
    "be2cbaf9815a9a1caa6995392f0fea7bf5f4b8024a0f6e2e25bff31a40ced7ca1e74daf7ea5d5448ad7d92788354ed9e"
    "c971d7b9f85062a76e77dae1c49b970f6fbb6dab030a75b9a447562282b435d7c840e2ae117d84744679dae0348e8d29"
    "f831e291bf7f786099a76492ba4f30d5a2517dd9510788f79e1e546aca78ec3eade50c9ec5b17a99d722d13ca365ea70"
    "6643b4210eb5a252936775602ddc2771520ec8b8e21121010282010100bfe352c4cc449cac3e818068c766621e6af7f6"
    "22b1e29af523f9a122b9bd7355ef6fa64de7cb7b3397dcae9f05cbba04f0d7e11ee277d3b89d8e142dae26c994348170"
    "03cd8d2f1df67d26099db2cd5497f39679e9ed1f93078d7b564266cbb329b10ca1ea10356a0d2e55665957861ee39e37"
    "a09ac166dcb1ff454b25c2af23730c850f06c6a237c41ecdafe4ca355b073aca5fa24a8288b967f7903b41ec70bb498c"
    "9d018b4db814e71365b3f79951c76d6638e19681b2c9212cdcc2925c550c9108732ca992146c601bd55c082b5bd88f1a"
    "10757a3ebe0d50d179d70ced46751478aee1ac3fdd7d1b7a9afba8f550183c587f31924d412e2179be2ad9fff9";

std::vector<std::uint8_t> unhex(const char* h) {
  std::vector<std::uint8_t> out;
  auto nib = [](char c) { return c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10; };
  for (; h[0] && h[1]; h += 2) out.push_back(static_cast<std::uint8_t>(nib(h[0]) * 16 + nib(h[1])));
  return out;
}

struct TernState {
  tern::rsa::PrivateKey key;
  std::vector<std::uint8_t> digest = std::vector<std::uint8_t>(32, 0x5a), sig;
  bool loaded = false;
};

void load(TernState& st, const char* der_hex) {
  if (st.loaded) return;
  auto der = unhex(der_hex);
  if (st.key.from_pkcs1_der(der) != tern::Status::ok) __builtin_trap();
  st.sig.resize(st.key.size_bytes());
  if (tern::rsa::sign_pkcs1v15(st.key, tern::sha2::HashId::sha256, st.digest, tern::default_random(), st.sig) !=
      tern::Status::ok)
    __builtin_trap();
  st.loaded = true;
}

void add_tern(const char* algo, const char* key_hex, bool sign, const std::string& kernel) {
  auto st = std::make_shared<TernState>();
  Case c;
  c.algo = algo;
  c.impl = kernel;
  c.bytes = 0;
  c.setup = [st, key_hex, kernel] {
    if (!tern::bignum::bignum_kernels().select(kernel)) __builtin_trap();
    load(*st, key_hex);
  };
  if (sign) {
    c.run = [st](std::uint64_t n) {
      std::vector<std::uint8_t> out(st->key.size_bytes());
      for (std::uint64_t i = 0; i < n; ++i) {
        if (tern::rsa::sign_pss(st->key, tern::sha2::HashId::sha256, st->digest, 32, tern::default_random(), out) !=
            tern::Status::ok)
          __builtin_trap();
        tern::bench::keep(out);
      }
    };
  } else {
    c.run = [st](std::uint64_t n) {
      for (std::uint64_t i = 0; i < n; ++i)
        if (tern::rsa::verify_pkcs1v15(st->key.public_key(), tern::sha2::HashId::sha256, st->digest, st->sig) !=
            tern::Status::ok)
          __builtin_trap();
    };
  }
  tern::bench::add(std::move(c));
}

#if TERN_HAVE_OPENSSL
struct OsslState {
  EVP_PKEY* pkey = nullptr;
  EVP_PKEY_CTX* ctx = nullptr;
  std::vector<std::uint8_t> digest = std::vector<std::uint8_t>(32, 0x5a), sig;
  ~OsslState() {
    EVP_PKEY_CTX_free(ctx);
    EVP_PKEY_free(pkey);
  }
};

void add_openssl(const char* algo, const char* key_hex, bool sign) {
  auto st = std::make_shared<OsslState>();
  Case c;
  c.algo = algo;
  c.impl = "openssl";
  c.bytes = 0;
  c.setup = [st, key_hex, sign] {
    if (st->ctx != nullptr) return;
    auto der = unhex(key_hex);
    const unsigned char* p = der.data();
    st->pkey = d2i_PrivateKey(EVP_PKEY_RSA, nullptr, &p, static_cast<long>(der.size()));
    if (!st->pkey) __builtin_trap();
    // A PKCS#1 v1.5 signature to verify.
    EVP_PKEY_CTX* sctx = EVP_PKEY_CTX_new(st->pkey, nullptr);
    std::size_t len = static_cast<std::size_t>(EVP_PKEY_get_size(st->pkey));
    st->sig.resize(len);
    if (EVP_PKEY_sign_init(sctx) != 1 || EVP_PKEY_CTX_set_rsa_padding(sctx, RSA_PKCS1_PADDING) != 1 ||
        EVP_PKEY_CTX_set_signature_md(sctx, EVP_sha256()) != 1 ||
        EVP_PKEY_sign(sctx, st->sig.data(), &len, st->digest.data(), st->digest.size()) != 1)
      __builtin_trap();
    EVP_PKEY_CTX_free(sctx);
    st->ctx = EVP_PKEY_CTX_new(st->pkey, nullptr);
    if (sign) {
      if (EVP_PKEY_sign_init(st->ctx) != 1 || EVP_PKEY_CTX_set_rsa_padding(st->ctx, RSA_PKCS1_PSS_PADDING) != 1 ||
          EVP_PKEY_CTX_set_signature_md(st->ctx, EVP_sha256()) != 1 ||
          EVP_PKEY_CTX_set_rsa_mgf1_md(st->ctx, EVP_sha256()) != 1 ||
          EVP_PKEY_CTX_set_rsa_pss_saltlen(st->ctx, 32) != 1)
        __builtin_trap();
    } else {
      if (EVP_PKEY_verify_init(st->ctx) != 1 || EVP_PKEY_CTX_set_rsa_padding(st->ctx, RSA_PKCS1_PADDING) != 1 ||
          EVP_PKEY_CTX_set_signature_md(st->ctx, EVP_sha256()) != 1)
        __builtin_trap();
    }
  };
  if (sign) {
    c.run = [st](std::uint64_t n) {
      std::vector<std::uint8_t> out(st->sig.size());
      for (std::uint64_t i = 0; i < n; ++i) {
        std::size_t len = out.size();
        if (EVP_PKEY_sign(st->ctx, out.data(), &len, st->digest.data(), st->digest.size()) != 1) __builtin_trap();
        tern::bench::keep(out);
      }
    };
  } else {
    c.run = [st](std::uint64_t n) {
      for (std::uint64_t i = 0; i < n; ++i)
        if (EVP_PKEY_verify(st->ctx, st->sig.data(), st->sig.size(), st->digest.data(), st->digest.size()) != 1)
          __builtin_trap();
    };
  }
  tern::bench::add(std::move(c));
}
#endif

tern::bench::Registrar reg([] {
  struct Row {
    const char* algo;
    const char* key;
    bool sign;
  };
  const Row rows[] = {{"rsa2048-verify", kKey2048, false},
                      {"rsa4096-verify", kKey4096, false},
                      {"rsa2048-pss-sign", kKey2048, true},
                      {"rsa4096-pss-sign", kKey4096, true}};
  auto& set = tern::bignum::bignum_kernels();
  for (const Row& r : rows) {
    for (std::size_t i = 0; i < set.count(); ++i)
      if (set.supported(i)) add_tern(r.algo, r.key, r.sign, set.name(i));
#if TERN_HAVE_OPENSSL
    add_openssl(r.algo, r.key, r.sign);
#endif
  }
});

}  // namespace
