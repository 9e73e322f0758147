"""Very common passwords and base words, refused by the password policy.

Compared case-insensitively: a password is refused when it is one of these, or one of these
with digits or punctuation around it ("Password2024!"). Taken from the most frequent entries
of public password lists, plus the words of this site that people reach for first.
"""

COMMON_PASSWORDS = frozenset("""
password passw0rd p@ssw0rd p@ssword qwerty qwertyuiop qwertyuiop[] asdfghjkl asdfghjkl;
zxcvbnm zxcvbnm,./ qwertyui qwertyu qazwsx qazwsxedc qazwsxedcrfv 1qaz2wsx 1qaz2wsx3edc
1q2w3e4r 1q2w3e4r5t 1q2w3e4r5t6y q1w2e3r4t5 q1w2e3r4t5y6 zaq12wsx zaq1zaq1 abc123 abcdef
abcdefg abcdefgh abcdefghi abcdefghij abcdefghijk abcdefghijkl iloveyou letmein welcome
welcome1 admin administrator root login master monkey dragon football baseball soccer
hockey superman batman spiderman starwars pokemon sunshine princess shadow michael
jennifer jordan hunter ranger trustno1 freedom whatever computer internet secret changeme
default guest test testing tester qwerty123 qwerty1234 qwerty12345 qwerty123456 password1
password12 password123 password1234 password12345 passwordpassword iloveyou1 iloveyou123
1234567890 0987654321 123456789 12345678 1234567 123456 12345 123123123 1231231231
123321123 1234512345 1122334455 1234554321 0123456789 9876543210 987654321 1111111111
2222222222 0000000000 1212121212 5555555555 6969696969 aaaaaaaaaa azertyuiop qwertzuiop
ytrewq mypassword yourpassword newpassword oldpassword mysecret letmein123 welcome123
admin123 admin1234 administrator1 changeme123 pragueprocess prague academy training
migration border asylum europe пароль йцукен йцукенг йцукенгш йцукенгшщз йцукенгшщзхъ
фывапролд фывапролдж ячсмитьбю любовь qwertyqwerty asdfasdfasdf asdasdasd qweqweqwe
zxczxczxc abcabcabc qweasdzxc qweasdzxc123 1qazxsw2
""".split())
