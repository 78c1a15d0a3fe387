package dev.replication.core;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class MajorityQuorumTest {

    @ParameterizedTest(name = "match indexes {0} commit {1}")
    @CsvSource(delimiter = '|', textBlock = """
            5             | 5
            5 0           | 0
            5 3           | 3
            0 0 0         | 0
            4 0 0         | 0
            4 4 0         | 4
            4 2 7         | 4
            7 7 7         | 7
            9 1 1 9 9     | 9
            9 1 1 9 2     | 2
            5 4 3 2 1     | 3
            8 8 1 1       | 1
            8 8 8 1       | 8
            """)
    void committedIndexIsTheLargestIndexStoredOnAMajority(String matchIndexes, long expected) {
        String[] parts = matchIndexes.trim().split(" +");
        long[] values = new long[parts.length];
        for (int i = 0; i < parts.length; i++) {
            values[i] = Long.parseLong(parts[i]);
        }
        assertThat(MajorityQuorum.committedIndex(values)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} voters, {1} yes, {2} no: {3}")
    @CsvSource(delimiter = '|', textBlock = """
            1 | 1 | 0 | WON
            3 | 1 | 0 | PENDING
            3 | 2 | 0 | WON
            3 | 1 | 1 | PENDING
            3 | 1 | 2 | LOST
            5 | 2 | 2 | PENDING
            5 | 3 | 2 | WON
            5 | 2 | 3 | LOST
            4 | 2 | 2 | LOST
            4 | 3 | 0 | WON
            """)
    void voteResultNeedsAMajorityOfAllVoters(
            int voters, int granted, int rejected, MajorityQuorum.VoteResult expected) {
        assertThat(MajorityQuorum.voteResult(voters, granted, rejected)).isEqualTo(expected);
    }

    @ParameterizedTest(name = "{0} voters need {1}")
    @CsvSource({"1,1", "2,2", "3,2", "4,3", "5,3", "7,4"})
    void quorumSizeIsMoreThanHalf(int voters, int quorum) {
        assertThat(MajorityQuorum.quorumSize(voters)).isEqualTo(quorum);
    }
}
