"""Threads for the embedded model: one per physical core the process may use."""

from __future__ import annotations

import os

from synthetic_soul.adapters.llm.hardware import load_options, physical_cores, usable_cores


def cpu(processor: int, package: int, core: int) -> str:
    return (
        f"processor\t: {processor}\nvendor_id\t: AuthenticAMD\n"
        f"physical id\t: {package}\nsiblings\t: 4\ncore id\t\t: {core}\ncpu cores\t: 2\n"
    )


# Two sockets of two cores with two hyper-threads each, numbered the way Linux does (the
# second thread of every core after all first threads).
TWO_SOCKETS = "\n".join(
    cpu(n, package, core)
    for n, (package, core) in enumerate(
        [(0, 0), (0, 1), (1, 0), (1, 1), (0, 0), (0, 1), (1, 0), (1, 1)]
    )
)
ARM64 = "processor\t: 0\nBogoMIPS\t: 50.00\n\nprocessor\t: 1\nBogoMIPS\t: 50.00\n"


def test_hyper_threads_of_one_core_count_once() -> None:
    assert physical_cores(TWO_SOCKETS, set(range(8))) == 4


def test_the_same_core_id_on_two_sockets_is_two_cores() -> None:
    assert physical_cores(TWO_SOCKETS, {0, 2}) == 2


def test_only_the_cpus_the_process_may_use_count() -> None:
    assert physical_cores(TWO_SOCKETS, {0, 4, 1}) == 2


def test_a_topology_the_text_does_not_give_is_unknown() -> None:
    assert physical_cores(ARM64, {0, 1}) == 0


def test_this_machine_has_at_least_one_and_no_more_than_its_cpus() -> None:
    assert 1 <= usable_cores() <= len(os.sched_getaffinity(0))


def test_the_setting_wins_for_prompt_and_generation_threads() -> None:
    options = load_options(3)
    assert (options["n_threads"], options["n_threads_batch"]) == (3, 3)
    assert options["n_gpu_layers"] in (0, -1)


def test_without_a_setting_threads_follow_the_cores() -> None:
    assert load_options(None)["n_threads"] == usable_cores()


def test_attention_is_flash_as_in_llama_cpps_own_tools() -> None:
    """llama-cpp-python turns it off by default; llama-bench's default (auto) has it on the CPU,
    and the service's prompt and generation rates are held against llama-bench's."""
    assert load_options(None)["flash_attn"] is True
