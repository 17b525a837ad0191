import json

from zhicheng.draw.cli import main
from zhicheng.draw.randomness import commitment

from .conftest import spec

OFFICE, SUPERVISOR = "ab" * 16, "cd" * 16


def write(path, data):
    path.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    return str(path)


def test_run_with_seed_then_verify(tmp_path, small_pool, capsys):
    pool = write(tmp_path / "pool.json", small_pool)
    spec_path = write(tmp_path / "spec.json", spec(quotas={"grassroots": {"true": {"min": 1}}}))
    record = str(tmp_path / "record.json")
    assert main(["run", "--pool", pool, "--spec", spec_path, "--seed", "00ff", "--record", record]) == 0
    output = json.loads(capsys.readouterr().out)
    assert len(output["committee"]) == 3
    assert set(output["probabilities"]) == {e["id"] for e in small_pool}
    assert main(["verify", record]) == 0
    assert "复核通过" in capsys.readouterr().out


def test_commit_reveal_in_two_steps(tmp_path, small_pool, capsys):
    pool = write(tmp_path / "pool.json", small_pool)
    spec_path = write(tmp_path / "spec.json", spec())
    commitments = write(
        tmp_path / "c.json",
        {"office": commitment(OFFICE), "supervisor": commitment(SUPERVISOR), "public_source": "体彩排列五第100期"},
    )
    notice = str(tmp_path / "pub.json")
    assert main(["run", "--pool", pool, "--spec", spec_path, "--commitments", commitments, "--publish", notice]) == 0
    digest_ = json.loads(capsys.readouterr().out)["publication_sha256"]
    record = str(tmp_path / "r.json")
    args = ["run", "--pool", pool, "--spec", spec_path, "--published", notice, "--record", record]
    args += ["--reveal", f"office={OFFICE}", "--reveal", f"supervisor={SUPERVISOR}", "--public-result", "1,2,3"]
    assert main(args) == 0
    capsys.readouterr()
    assert main(["verify", record, "--publication", digest_]) == 0
    wrong = args[:-6] + ["--reveal", f"office={'ee' * 16}", "--reveal", f"supervisor={SUPERVISOR}"]
    assert main(wrong) == 2
    assert "评委会办事机构的揭示值与其承诺不符" in capsys.readouterr().err


def test_tampered_record_exits_non_zero(tmp_path, small_pool, capsys):
    pool = write(tmp_path / "pool.json", small_pool)
    spec_path = write(tmp_path / "spec.json", spec())
    record = tmp_path / "record.json"
    main(["run", "--pool", pool, "--spec", spec_path, "--seed", "01", "--record", str(record)])
    data = json.loads(record.read_text(encoding="utf-8"))
    data["pool"][0]["available"] = False
    record.write_text(json.dumps(data, ensure_ascii=False), encoding="utf-8")
    capsys.readouterr()
    assert main(["verify", str(record)]) == 1
    assert "专家 A1 与公示的摘要不符（已被改动）" in capsys.readouterr().err


def test_infeasible_spec_draws_nothing(tmp_path, small_pool, capsys):
    pool = write(tmp_path / "pool.json", small_pool)
    spec_path = write(tmp_path / "spec.json", spec(quotas={"specialty_group": {"土木": {"min": 5}}}))
    assert main(["run", "--pool", pool, "--spec", spec_path, "--seed", "01"]) == 2
    captured = capsys.readouterr()
    assert json.loads(captured.out)["committee"] is None
    assert "专业组“土木”至少需要5人，但可抽选专家仅4人" in captured.err
