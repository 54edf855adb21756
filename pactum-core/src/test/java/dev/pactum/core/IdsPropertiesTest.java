package dev.pactum.core;

import net.jqwik.api.ForAll;
import net.jqwik.api.Property;
import net.jqwik.api.constraints.Chars;
import net.jqwik.api.constraints.CharRange;
import net.jqwik.api.constraints.StringLength;

import static org.assertj.core.api.Assertions.assertThat;

/** The id check written out by hand says what its regular expression says, for every string. */
class IdsPropertiesTest {
    @Property(tries = 3000)
    void theHandWrittenCheckAgreesWithTheRegularExpression(
            @ForAll @StringLength(max = 70) @CharRange(from = ' ', to = '~') @Chars({'\u00e9', '\u0000', '\n'}) String s) {
        assertThat(Ids.isValid(s)).as("'%s'", s).isEqualTo(Ids.VALID.matcher(s).matches());
    }

    @Property(tries = 1000)
    void idsNearTheLengthLimitAgreeToo(@ForAll @StringLength(min = 60, max = 68) @CharRange(from = '0', to = '9')
                                       @CharRange(from = 'a', to = 'c') @Chars({'.', '-', '/'}) String s) {
        assertThat(Ids.isValid(s)).as("'%s'", s).isEqualTo(Ids.VALID.matcher(s).matches());
    }
}
