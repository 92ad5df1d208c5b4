"""Demo question bank (171 sample questions over the 9 modules, written by us) and the demo exam
for lms's demo course. Idempotent: questions are keyed by code, the exam by title.

Each module lists eight concepts with a one-line definition in our own words; the questions are
built from them: one single-choice question per concept (pick the right definition), one
true/false statement per concept (alternately right and deliberately swapped), and three
multiple-choice questions per module (which of these belong to the module).
"""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal
from typing import TextIO

from django.utils import timezone

from cms.selectors import items_by_code, version_for_reference

from .models import BlueprintRule, Exam, QuestionKind, Sitting
from .services import question_save

STANDARD_VERSION = "YD/T 2823-2015"
DEMO_EXAM_TITLE = "CCSO 注册协调员考试（示例）"
DEMO_COURSE_CODES = ("ccso-coordinator", "ccso-coordinator-training")
DEMO_COURSE_TITLE = "CCSO 注册协调员培训"

MODULES: dict[int, tuple[str, list[tuple[str, str]]]] = {
    1: ("规划及发展方向", [
        ("战略方针", "明确客服中心长期定位与服务宗旨的纲领性要求"),
        ("战略规划", "覆盖三至五年、包含目标、实施路径和资源安排的中长期计划"),
        ("年度经营计划", "把战略规划分解为当年可考核目标和预算的执行计划"),
        ("高层支持", "企业高层管理者在资源、授权和决策上对客服中心的持续投入"),
        ("内部沟通", "使战略和目标在各层级员工之间传达并获得反馈的机制"),
        ("企业文化", "员工共同认可并在服务行为中体现的价值观和行为准则"),
        ("社会责任", "客服中心在吸纳就业、节能环保和合规经营等方面对社会的承诺"),
        ("战略执行评估", "定期检视战略执行效果并据此修订规划的管理活动"),
    ]),
    2: ("人员管理", [
        ("组织架构", "规定岗位设置、汇报关系和管理幅度的结构安排"),
        ("招聘", "依据岗位胜任要求甄选并录用合适人员的过程"),
        ("培训", "通过岗前和在岗学习使员工掌握业务知识与服务技能的活动"),
        ("知识与技能管理", "识别、评估并持续更新员工应具备的业务知识和服务技能"),
        ("员工考核", "按既定指标和周期对员工的工作表现进行评价"),
        ("薪酬与激励", "通过薪资、奖金和非物质奖励引导员工行为的制度"),
        ("员工流失率", "一定期间内离职人数除以平均在职人数得到的比率"),
        ("职业发展通道", "为员工设计的晋升路径和岗位成长规划"),
    ]),
    3: ("现场管理", [
        ("话务预测", "依据历史数据和业务变化估计未来各时段来电量的工作"),
        ("排班", "按预测话务量和服务目标安排各时段在岗人数与班次"),
        ("现场监控", "实时查看排队、在线坐席和服务水平并及时调度的管理活动"),
        ("应急预案", "针对话务突增、系统故障等突发情况预先制定的处置方案"),
        ("质量监控", "通过录音抽检、实时监听等方式评价坐席的服务质量"),
        ("服务水平", "在设定时间内接通的来电占比，例如20秒内接通80%"),
        ("人员占用率", "通话时长与话后处理时长之和除以登录可用时长"),
        ("班组长", "负责一线坐席日常管理、辅导和现场协调的基层管理者"),
    ]),
    4: ("流程管理", [
        ("流程设计", "依据客户需求和业务规则确定服务步骤、职责和标准"),
        ("流程文件化", "将流程以书面形式记录并受控发布，确保执行一致"),
        ("流程优化", "基于数据和客户反馈对流程进行持续改进"),
        ("跨部门协作流程", "明确客服中心与其他部门之间工单流转和处理时限的规则"),
        ("流程绩效指标", "用于衡量流程运行效率和效果的量化指标"),
        ("知识库", "集中存储业务知识和标准答复并供坐席检索的系统"),
        ("工单管理", "对客户诉求从受理、派发、处理到回访全过程的跟踪"),
        ("首次解决率", "客户问题在首次联络中即被解决、约定期限内没有重复联络的比例"),
    ]),
    5: ("绩效管理", [
        ("关键绩效指标", "反映客服中心运营目标达成情况的核心量化指标"),
        ("平均处理时长", "通话、保持和话后处理时长之和除以处理量"),
        ("平均应答速度", "已接通来电的排队等待总时长除以已接通来电数"),
        ("放弃率", "放弃来电数除以呼入总量，短时放弃按规定阈值剔除"),
        ("接通率", "已接通来电数除以呼入总量"),
        ("绩效目标分解", "把中心总体目标逐级分解到班组和个人"),
        ("绩效面谈", "管理者与员工就考核结果进行沟通并共同制定改进计划"),
        ("数据核验", "从原始记录重新计算某一月份的指标，以验证报送数据的真实性"),
    ]),
    6: ("客户价值与满意度", [
        ("客户满意度", "客户对服务体验的评价，常用五级量表中前两级的占比衡量"),
        ("客户细分", "按价值、需求或行为把客户划分为不同群体以提供差异化服务"),
        ("客户之声", "系统收集和分析客户反馈、意见与建议的机制"),
        ("投诉处理", "对客户投诉进行受理、调查、答复和回访的闭环管理"),
        ("客户忠诚度", "客户持续使用并愿意推荐企业产品或服务的程度"),
        ("满意度调查", "按科学抽样和统一问卷定期开展的客户评价调查"),
        ("服务补救", "服务失误后及时采取措施挽回客户信任的行动"),
        ("客户旅程", "客户从首次接触到问题解决所经历的全部触点和步骤"),
    ]),
    7: ("技术管理", [
        ("自动呼叫分配", "按规则把来电分配给合适坐席的系统功能"),
        ("交互式语音应答", "通过语音菜单让客户自助查询或办理业务的系统"),
        ("客户关系管理系统", "记录客户资料和联络历史、支持坐席服务的系统"),
        ("录音系统", "对通话进行录制、存储和检索，供质检和取证使用的系统"),
        ("系统可用性", "系统在规定时间内正常提供服务的时间占比"),
        ("容量规划", "根据业务增长预测对中继线路、坐席席位和服务器能力进行规划"),
        ("全媒体接入", "把电话、短信、网页和社交媒体等渠道统一接入和分配"),
        ("技术变更管理", "对系统升级和配置变更进行申请、测试、审批和回退安排"),
    ]),
    8: ("网络与信息安全", [
        ("访问控制", "按最小权限原则授予和回收系统与数据的访问权限"),
        ("数据备份", "定期复制重要数据并验证能够恢复，以防数据丢失"),
        ("敏感信息脱敏", "在显示或导出时遮蔽身份证号、银行卡号等敏感信息"),
        ("安全事件响应", "发现安全事件后按预案报告、处置和复盘的过程"),
        ("安全意识培训", "使员工了解信息安全制度和常见风险的教育活动"),
        ("日志审计", "记录并定期检查系统操作日志以发现异常行为"),
        ("物理安全", "对机房、办公区域的出入和设备进行管控"),
        ("等级保护", "按国家规定对信息系统进行定级、测评和整改"),
    ]),
    9: ("客户权益保护", [
        ("知情权", "客户有权了解服务内容、收费标准和办理条件"),
        ("个人信息保护", "未经客户同意不得收集、使用或向他人提供其个人信息"),
        ("自主选择权", "客户可以自主选择产品、服务方式以及是否接受营销"),
        ("公平交易", "不得设置不合理条款或强制搭售"),
        ("投诉渠道公示", "向客户公开投诉电话、处理流程和答复时限"),
        ("营销外呼管理", "外呼营销须遵守时段限制并尊重客户的拒绝意愿"),
        ("录音告知", "在通话录音前告知客户，保障其知情"),
        ("特殊群体服务", "为老年人、残障人士等提供便利的服务安排"),
    ]),
}

LETTERS = "ABCDEF"
SAMPLE = "（示例题目，非标准原文）"


def _options(texts: list[str]) -> list[dict[str, str]]:
    return [{"key": LETTERS[i], "text": t} for i, t in enumerate(texts)]


def demo_questions() -> list[dict]:
    """Every demo question as keyword arguments for `question_save`, with the code of its item
    of the sample standard as `item_code` (`load` turns it into the item)."""
    questions: list[dict] = []
    for module, (module_name, concepts) in MODULES.items():
        chapter = module + 3
        size = len(concepts)
        for i, (name, definition) in enumerate(concepts):
            others = [concepts[(i + k) % size] for k in (1, 3, 5)]
            position = i % 4  # where the right answer goes, so it is not always A
            texts = [d for _n, d in others]
            texts.insert(position, definition)
            # Eight concepts per module on its first eight items (4.1.1 … 4.2.4 for module 1).
            common = {"module_number": module, "item_code": f"{chapter}.{i // 4 + 1}.{i % 4 + 1}"}
            questions.append({
                **common,
                "code": f"DEMO-{module}-S{i + 1:02d}",
                "kind": QuestionKind.SINGLE,
                "text": f"在客服中心的{module_name}中，“{name}”指的是：",
                "options": _options(texts),
                "correct_keys": [LETTERS[position]],
                "explanation": f"“{name}”是指{definition}。{SAMPLE}",
            })
            swapped_name, swapped_def = concepts[(i + 2) % size]
            true_statement = i % 2 == 0
            questions.append({
                **common,
                "code": f"DEMO-{module}-T{i + 1:02d}",
                "kind": QuestionKind.TRUE_FALSE,
                "text": f"“{name}”是指{definition if true_statement else swapped_def}。",
                "options": [{"key": "A", "text": "正确"}, {"key": "B", "text": "错误"}],
                "correct_keys": ["A" if true_statement else "B"],
                "explanation": (
                    f"正确。“{name}”是指{definition}。{SAMPLE}" if true_statement
                    else f"错误。题干描述的是“{swapped_name}”；“{name}”是指{definition}。{SAMPLE}"
                ),
            })
        for j in range(3):
            own = [concepts[(j * 3 + k) % size][0] for k in range(2 + j % 2)]
            foreign_modules = [(module + j) % 9 + 1, (module + j + 4) % 9 + 1]
            foreign = [MODULES[m][1][(j + module) % size][0] for m in foreign_modules
                       if m != module]
            texts = own + foreign
            # Interleave so the right answers are not always first.
            order = sorted(range(len(texts)), key=lambda k: (k * 7 + j) % len(texts))
            shuffled = [texts[k] for k in order]
            keys = [LETTERS[n] for n, k in enumerate(order) if k < len(own)]
            questions.append({
                "module_number": module, "item_code": f"{chapter}.{j + 3}.1",
                "code": f"DEMO-{module}-M{j + 1:02d}",
                "kind": QuestionKind.MULTIPLE,
                "text": f"下列哪些属于“{module_name}”模块的管理内容？（多选）",
                "options": _options(shuffled),
                "correct_keys": keys,
                "explanation": f"属于{module_name}的是：{'、'.join(own)}。{SAMPLE}",
            })
    return questions


def _demo_course():  # type: ignore[no-untyped-def]
    from lms.models import Course

    course = Course.objects.filter(code__in=DEMO_COURSE_CODES).first()
    return course or Course.objects.filter(title=DEMO_COURSE_TITLE).first()


def load(stdout: TextIO) -> None:
    questions = demo_questions()
    version = version_for_reference(code=STANDARD_VERSION)
    items = items_by_code(version=version, codes=[q["item_code"] for q in questions]) if (
        version is not None) else {}
    changed = sum(1 for q in questions
                  if question_save(item=items.get(q.pop("item_code")), **q)[1])
    stdout.write(f"exams: {len(questions)} demo questions ({changed} new or changed), "
                 f"{len(items)} items of {STANDARD_VERSION} covered")
    course = _demo_course()
    if course is None:
        stdout.write("exams: the demo course is missing (lms demo not loaded); no demo exam")
        return
    exam, created = Exam.objects.get_or_create(
        title=DEMO_EXAM_TITLE,
        defaults={
            "course": course,
            "title_en": "CCSO Registered Coordinator Exam (sample)",
            "description": "共18题，每个模块2题，限时30分钟，60分合格。答案随作答自动保存。",
            "duration_minutes": 30,
            "pass_mark_percent": Decimal("60.00"),
            "max_attempts": 3,
            "retake_wait_hours": 0,
            "is_published": True,
        },
    )
    if created:
        BlueprintRule.objects.bulk_create(
            [BlueprintRule(exam=exam, module_number=m, count=2) for m in MODULES]
        )
    now = timezone.now()
    if not exam.sittings.filter(ends_at__gt=now + timedelta(days=7)).exists():
        Sitting.objects.create(exam=exam, starts_at=now - timedelta(hours=1),
                               ends_at=now + timedelta(weeks=6), note="示例考试窗口")
    stdout.write(f"exams: demo exam “{exam.title}” open for {course}")
