package dev.pactum.demo;

import dev.pactum.api.BranchOp;
import dev.pactum.client.barrier.Barrier;
import dev.pactum.client.barrier.BarrierResult;
import dev.pactum.client.barrier.BranchWork;
import dev.pactum.demo.ServiceHttp.Call;
import dev.pactum.demo.ServiceHttp.Reply;

import javax.sql.DataSource;
import java.util.Map;

/**
 * What the three demo services share: their own database, the barrier table in it, and the mapping of a
 * barrier result to the HTTP answer the coordinator expects (200 / 409 / 425).
 */
abstract class TccParticipant {
    final DataSource db;
    final Barrier barrier;

    TccParticipant(DataSource db) {
        this.db = db;
        this.barrier = Barrier.forDataSource(db);
        barrier.createSchemaIfMissing();
    }

    /** Runs one branch operation behind the barrier and answers as DESIGN.md's conventions say. */
    Reply branch(Call call, BranchOp op, BranchWork work) {
        if (call.gid() == null || call.branchId() == null) {
            return Reply.error(400, "invalid_input", "Pactum-Gid and Pactum-Branch-Id headers are required");
        }
        BarrierResult r = barrier.run(call.gid(), call.branchId(), op, work);
        return new Reply(r.httpStatus(), Map.of("gid", call.gid(), "op", op.wire(), "result", r.name()));
    }
}
